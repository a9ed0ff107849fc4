/**
 * Issue 13: findings a logger's maintainer would reject as the harness's doing are gone, and
 * each oracle that changed still flags a logger broken on purpose. Real runs (child process,
 * worker threads, real files); parameters are small, and no verdict here depends on timing.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

async function run(adapterRef: string, scenario: string, params: Record<string, unknown>, seed = 1) {
  return api.superviseRun({
    adapter: await api.resolveAdapter(adapterRef, ROOT),
    scenario: await api.resolveScenario(scenario),
    seed,
    params,
    timeoutMs: 60_000,
    // None of these verdicts is about a hang: a wide window keeps a loaded machine's pauses out.
    hangMs: 20_000,
    memoryMb: 1024,
    workDir: scratchDir(),
  });
}

const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);

describe('flush() is exercised on every adapter that has one', () => {
  it('flags a file logger whose flush() resolves before its buffered records are written', async () => {
    const result = await run(fixture('early-flush'), 'graceful-exit', { records: 200, maxPayload: 64 });
    expect(result.status).toBe('fail');
    const early = result.findings.find((f) => f.kind === 'lost-records');
    expect(early?.evidence).toMatchObject({ signature: 'flush-before-delivered', missing: 200 });
    // close() writes the buffer: nothing is lost in the end, the flush lied.
    expect(result.metrics).toMatchObject({ produced: 200, delivered: 200, lost: 0 });
  });

  // pino's async destinations do not buffer by default (minLength 0), where sonic-boom documents
  // that flush does nothing: the pino adapters offer no flush there (adapters/pino-kit.ts).
  it.each(['reference', 'reference-tcp'])('%s: its documented flush covers every record logged before it', async (name) => {
    const result = await run(name, 'graceful-exit', { records: 2000, maxPayload: 300 });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
  });
});

describe('per-producer order', () => {
  it('fails slow-sink for a logger that reorders one producer\'s records, though slow-sink does not list reordering', async () => {
    const result = await run(fixture('reorders'), 'slow-sink', { threads: 1, records: 500, maxPayload: 64, delayMs: 1, mbPerSec: 8 });
    expect(result.status).toBe('fail');
    const reordered = result.findings.find((f) => f.kind === 'reordered-records');
    expect(reordered).toMatchObject({ severity: 'error', evidence: { orderPromised: true, reordered: 250 } });
  });
});

describe('log4js with a one-line layout', () => {
  it.each(['log4js-file', 'log4js-rotating'])('%s: hostile fields print on the record\'s own line, nothing torn', async (name) => {
    // Objects wider than a line (huge strings, many keys) are what the basic layout wraps.
    const result = await run(name, 'hostile-input', { kinds: ['circular', 'throwing-getter', 'throwing-tojson', 'bigint', 'symbol', 'null-prototype', 'lone-surrogate', 'control-chars', 'huge-string', 'deep-nesting'], around: 40, hugeKiB: 64 });
    expect(result.metrics).toMatchObject({ torn: 0, lost: 0 });
    expect(result.findings.some((f) => f.kind === 'torn-records')).toBe(false);
  });
});

describe('a shutdown that fails', () => {
  it('is an error out of the logger with the shutdown\'s own error, not an exit-hang', async () => {
    const result = await run(fixture('fails-shutdown'), 'graceful-exit', { records: 50, maxPayload: 32 });
    expect(result.findings.some((f) => f.kind === 'exit-hang')).toBe(false);
    const failed = result.findings.find((f) => f.kind === 'unhandled-error');
    expect(failed).toMatchObject({ severity: 'error', evidence: { shutdown: 'The documented shutdown', error: 'write after end' } });
  });
});

describe('start-up is not counted against progress', () => {
  // Each producer process loads a logger whose module takes 2.5 s to load, against a 1 s hang
  // window: before issue 13 the watchdog called that start-up a hang (torn-lines with processes).
  it('does not call producer processes that are still loading their logger hung', async () => {
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter(fixture('slow-start'), ROOT),
      scenario: await api.resolveScenario('torn-lines'),
      seed: 1,
      params: { writers: 'processes', sink: 'file', count: 2, records: 16, recordBytes: 5000 },
      // Generous: four imports of a 2.5 s module (supervisor, child, two processes) on a loaded machine.
      timeoutMs: 90_000,
      hangMs: 1000,
      memoryMb: 1024,
      workDir: scratchDir(),
    });
    expect(result.findings.filter((f) => f.kind === 'hang')).toEqual([]);
    expect(result.metrics).toMatchObject({ produced: 32, delivered: 32 });
  }, 120_000);
});
