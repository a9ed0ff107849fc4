/**
 * existing-sink: the sink file already holds records (1.2 MiB, past the rotating adapters' 1 MiB
 * size limit) and was last modified 300 days ago. It flags a logger that truncates the file on
 * open, with the records it erased, and passes one that appends, the rotating loggers (whose
 * rotation may trigger on open) and the plain file ones.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);
const params = { existingKiB: 1200, ageDays: 300, threads: 1, records: 500 };

async function run(adapterRef: string) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('existing-sink');
  // No verdict here is about a hang: a wide window keeps a loaded machine from making one.
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: 60_000, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('existing-sink', () => {
  it('flags a logger that truncates the existing file on open, naming the records it erased', async () => {
    const { result, kinds } = await run(fixture('truncates-on-open'));
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['lost-records']);
    // The file held records of producer 1 (one past the threads): every one of them is gone.
    const existing = result.metrics.produced - 500;
    expect(existing).toBeGreaterThan(4000);
    expect(result.metrics).toMatchObject({ delivered: 500, lost: existing });
    expect(result.findings[0]?.evidence['missing']).toEqual([{ producer: 1, from: 0, to: existing - 1 }]);
  });

  // Not winston-rotating: under load its end() meets records still in its buffer (winstonjs/winston#2219, in every scenario that closes).
  for (const adapter of [fixture('reopener-reopen'), 'log4js-rotating', 'bunyan-rotating', 'pino-async']) {
    it(`passes ${adapter.endsWith('.ts') ? 'a logger that appends' : adapter}: the records already there are kept, the new ones follow`, async () => {
      const { result } = await run(adapter);
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics.lost).toBe(0);
      expect(result.metrics.delivered).toBe(result.metrics.produced);
    });
  }
});
