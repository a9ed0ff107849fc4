/**
 * Logging from the application's own shutdown code: an 'exit' listener (exit-listener) and
 * beforeExit, SIGTERM and uncaughtException handlers (shutdown-handler). Each scenario flags a
 * logger broken on purpose (its own hook ends it and later records vanish), passes a correct
 * one, and shows what it finds in pino: https://github.com/pinojs/pino/issues/1400.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const TIMEOUT_MS = 30_000;
const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);

async function run(adapterRef: string, scenarioName: string, params: unknown) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario(scenarioName);
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: TIMEOUT_MS, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('exit-listener', () => {
  for (const ends of ['process-exit', 'return'] as const) {
    it(`flags a logger whose own exit hook drops what a later 'exit' listener logs (${ends})`, async () => {
      const { result, kinds } = await run(fixture('exit-hook-drops'), 'exit-listener', { before: 20, inListener: 5, ends });
      expect(result.status).toBe('fail');
      expect(kinds).toEqual(['exit-loss']);
      expect(result.metrics).toMatchObject({ produced: 25, delivered: 20, lost: 5 });
      expect(result.findings[0]?.evidence['missing']).toEqual([{ producer: 0, from: 20, to: 24 }]);
    });

    it(`passes a logger that writes through once its exit hook ran (${ends})`, async () => {
      const { result } = await run(fixture('exit-hook-writes'), 'exit-listener', { before: 20, inListener: 5, ends });
      expect(result.status).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 25, delivered: 25, lost: 0 });
    });
  }

  it('passes the reference logger, which counts what is logged after its exit drain as dropped instead of losing it silently', async () => {
    const { result } = await run('reference', 'exit-listener', { before: 50, inListener: 10, ends: 'process-exit' });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 60, delivered: 50, droppedReported: 10, lost: 0 });
  });

  it("shows pino's transport losing every record logged in an 'exit' listener (pinojs/pino#1400)", async () => {
    const { result, kinds } = await run('pino-transport', 'exit-listener', { before: 50, inListener: 10, ends: 'process-exit' });
    expect(result.status).toBe('fail');
    expect(kinds).toContain('exit-loss');
    expect(result.metrics).toMatchObject({ produced: 60, delivered: 50, lost: 10 });
  });

  it('passes pino with a synchronous destination, which holds nothing at exit', async () => {
    const { result } = await run('pino-sync', 'exit-listener', { before: 50, inListener: 10, ends: 'return' });
    expect(result.status).toBe('pass');
  });

  it('skips a logger that promises no write at exit', async () => {
    const { result } = await run('winston-file', 'exit-listener', { before: 5, inListener: 1, ends: 'return' });
    expect(result.status).toBe('skip');
  });
});

describe('shutdown-handler', () => {
  for (const where of ['beforeExit', 'sigterm', 'uncaught-exception'] as const) {
    it(`flags a logger that ends itself before the application's ${where} handler logs`, async () => {
      const { result, kinds } = await run(fixture('signal-hook-drops'), 'shutdown-handler', { where, before: 20, inHandler: 4 });
      expect(result.status).toBe('fail');
      expect(kinds).toEqual(['exit-loss']);
      expect(result.metrics).toMatchObject({ produced: 24, delivered: 20, lost: 4 });
    });

    it(`passes a logger that still writes what the ${where} handler logs`, async () => {
      const { result } = await run(fixture('exit-hook-writes'), 'shutdown-handler', { where, before: 20, inHandler: 4 });
      expect(result.status).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 24, delivered: 24 });
    });
  }

  it('passes pino-async, whose destination stays open through a SIGTERM handler and its shutdown', async () => {
    const { result } = await run('pino-async', 'shutdown-handler', { where: 'sigterm', before: 50, inHandler: 5 });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 55, delivered: 55 });
  });
});
