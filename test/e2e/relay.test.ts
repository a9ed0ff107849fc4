/**
 * The paced pipe (relay) that stands in for a sink a logger opens by path: when the run stops
 * it, it drains until the logger's descriptor is closed, not only until the pipe is empty. A
 * logger whose documented close resolves before its last writes land (as winston's 'finish'
 * can) would otherwise meet a pipe with no reader, EPIPE, which a real file never gives.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

describe('the paced pipe', () => {
  it('keeps reading after the run asks it to stop while a logger still has its end open: no EPIPE, every record delivered', async () => {
    const adapter = await api.resolveAdapter(join(FIXTURES, 'adapters', 'early-close.ts'), ROOT);
    const scenario = await api.resolveScenario('blocking-sink');
    const params = { records: 3056, maxPayload: 436, blockMs: 985 };
    const result = await api.superviseRun({ adapter, scenario, seed: 2, params, timeoutMs: 60_000, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
    expect(result.findings.map((f) => `${f.kind}: ${f.message}`).filter((m) => /EPIPE|lost/.test(m))).toEqual([]);
    expect(result.metrics).toMatchObject({ produced: 3056, delivered: 3056, lost: 0 });
  });
});
