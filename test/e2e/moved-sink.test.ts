/**
 * moved-sink: the logger's only file is renamed away mid-run (logrotate's create mode) and the
 * application calls the logger's documented reopen. It flags a logger that never resumes at the
 * path and one whose reopen loses what it held, with their counts, and passes a correct one and
 * the real loggers that document a reopen (pino's destination.reopen(), bunyan's
 * reopenFileStreams(), https://github.com/trentm/node-bunyan/issues/104).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);
const params = { before: 100, between: 20, after: 100 };

async function run(adapterRef: string) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('moved-sink');
  // No verdict here is about a hang: a wide window keeps a loaded machine from making one.
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: 60_000, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('moved-sink', () => {
  it('flags a logger whose reopen does nothing: every later record went into the moved file, counted', async () => {
    const { result, kinds } = await run(fixture('reopener-noop'));
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['lost-records', 'lost-records']);
    expect(result.findings.find((f) => f.evidence['signature'] === 'written-to-moved-file')?.evidence).toMatchObject({ astray: 100, atPath: 0 });
    expect(result.metrics).toMatchObject({ produced: 220, delivered: 120, lost: 100 });
  });

  it('flags a logger whose reopen throws away what it held, with the records it lost', async () => {
    const { result, kinds } = await run(fixture('reopener-discard'));
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['lost-records']);
    expect(result.metrics).toMatchObject({ produced: 220, delivered: 200, lost: 20 });
    expect(result.findings[0]?.evidence['missing']).toEqual([{ producer: 0, from: 100, to: 119 }]);
  });

  for (const adapter of [fixture('reopener-reopen'), 'pino-sync', 'pino-async', 'bunyan-file']) {
    it(`passes ${adapter.endsWith('.ts') ? 'a logger that writes what it holds, then reopens' : adapter}: every record at the path or in the moved file`, async () => {
      const { result } = await run(adapter);
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 220, delivered: 220, lost: 0 });
    });
  }

  it('skips a logger with no documented reopen', async () => {
    const { result } = await run('winston-file');
    expect(result.status).toBe('skip');
  });
});
