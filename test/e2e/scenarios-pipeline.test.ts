/**
 * The class "a transport target that is itself asynchronous inside the transport's worker"
 * (issue 18): `pino-pipeline` runs pino.transport({ pipeline: [an async transform, 'pino/file'] }).
 * graceful-exit flags a pipeline whose transform drops the lookups still in flight when its source
 * ends (a fixture broken that way), and passes pino-pipeline with the transform that awaits them.
 * Counts are exact: nothing here is judged by time.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const TIMEOUT_MS = 30_000;
const PARAMS = { records: 300, maxPayload: 256 };

async function run(adapterRef: string, scenarioName: string, params: unknown) {
  const result = await api.superviseRun({
    adapter: await api.resolveAdapter(adapterRef, ROOT),
    scenario: await api.resolveScenario(scenarioName),
    seed: 1,
    params,
    timeoutMs: TIMEOUT_MS,
    memoryMb: 1024,
    workDir: scratchDir(),
  });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('an asynchronous transform inside the transport worker', () => {
  it('graceful-exit flags a pipeline transform that drops its in-flight lookups when the source ends', async () => {
    const { result, kinds } = await run(join(FIXTURES, 'adapters', 'pipeline-forgets-pending.ts'), 'graceful-exit', PARAMS);
    expect(result.status).toBe('fail');
    expect(kinds).toContain('exit-loss');
    // The fixture keeps 8 lookups in flight: the last 7 records logged before end() are lost.
    expect(result.metrics.produced).toBe(300);
    expect(result.metrics.lost).toBe(7);
    const loss = result.findings.find((f) => f.kind === 'exit-loss');
    expect(loss?.evidence['missing']).toEqual([{ producer: 0, from: 293, to: 299 }]);
  });

  it('pino-pipeline, whose transform awaits what is in flight before ending its output, passes graceful-exit', async () => {
    const { result, kinds } = await run('pino-pipeline', 'graceful-exit', PARAMS);
    expect(kinds.filter((k) => k !== 'event-loop-stall')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics.delivered).toBe(300);
    expect(result.metrics.lost).toBe(0);
  });
});
