/**
 * reopen-then-close: logrotate's SIGHUP and a shutdown right behind it. The close is called in
 * the same turn as the reopen, with a write in flight: it flags a logger that forgets a close
 * which overtook its deferred reopen (sonic-boom's defect, reproduced by a fixture and found in
 * pino's asynchronous destination), and passes a correct one and the loggers without the defect.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);
const params = { before: 50, after: 30 };

async function run(adapterRef: string) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('reopen-then-close');
  // The close bound is the verdict here; the hang window is wide so load cannot make a hang of its own.
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: 60_000, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('reopen-then-close', () => {
  it('flags a logger that forgets a close which overtook its deferred reopen: the close never settles, the held records are lost', async () => {
    const { result, kinds } = await run(fixture('reopener-defer-forget'));
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['exit-hang', 'lost-records']);
    // Everything logged from the reopen on (the `after` records) was held and never written.
    expect(result.findings[1]?.evidence['missing']).toEqual([{ producer: 0, from: 51, to: 80 }]);
  });

  it("flags pino's asynchronous destination (sonic-boom): end() behind a reopen that waits on a write never closes", async () => {
    const { result, kinds } = await run('pino-async');
    expect(result.status).toBe('fail');
    expect(kinds).toContain('exit-hang');
    expect(result.metrics.lost).toBeGreaterThan(0);
  });

  for (const adapter of [fixture('reopener-defer'), fixture('reopener-reopen'), 'pino-sync', 'bunyan-file']) {
    it(`passes ${adapter.endsWith('.ts') ? `the fixture ${adapter.split('/').pop()}` : adapter}: the close settles and every record is in one of the two files`, async () => {
      const { result } = await run(adapter);
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 81, delivered: 81, lost: 0 });
    });
  }
});
