/**
 * below-level-flood: memory under hundreds of thousands of calls below the logger's level. It
 * flags a logger that keeps every call in an unbounded buffer and passes one that checks the
 * level first, and the reference logger.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

async function run(adapterRef: string, params: unknown) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('below-level-flood');
  return api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: 30_000, memoryMb: 1024, workDir: scratchDir() });
}

describe('below-level-flood', () => {
  const params = { calls: 200_000, maxPayload: 64, withFields: false };

  it('flags a logger that keeps every filtered call, with the retained growth per call', async () => {
    const result = await run(join(FIXTURES, 'adapters', 'keeps-filtered.ts'), params);
    expect(result.status).toBe('fail');
    const finding = result.findings.find((f) => f.kind === 'unbounded-memory');
    expect(finding?.evidence['bytesPerCall']).toBeGreaterThan(16);
    expect(result.metrics).toMatchObject({ produced: 2, delivered: 2 });
  });

  it('passes a logger that checks the level first', async () => {
    const result = await run(join(FIXTURES, 'adapters', 'filters-first.ts'), params);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 2, delivered: 2, lost: 0 });
  });

  it('passes the reference logger, whose filtered call is a level check', async () => {
    const result = await run('reference', { ...params, withFields: true });
    expect(result.status).toBe('pass');
  });
});
