// The README's example, as is: logjam inside a library's own vitest suite.
import { describe, expect, it } from 'vitest';
import { runScenario } from 'logjam/api';

describe('our logger under logjam', () => {
  it('loses, duplicates and reorders nothing with four threads logging at once', async () => {
    const result = await runScenario({
      adapter: 'pino-sync', // or the path to your own adapter: './my-adapter.ts'
      scenario: 'steady',
      seed: 1,
      params: { threads: 4, records: 2000, batch: 64, maxPayload: 256 },
    });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 8000, delivered: 8000, lost: 0, duplicated: 0, reordered: 0, torn: 0 });
  });

  it('flags the lock-order inversion of a logger broken on purpose, with the command that replays it', async () => {
    const result = await runScenario({ adapter: 'reference-bug-abba', scenario: 'lock-inversion', seed: 1 });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.kind)).toContain('lock-order-cycle');
    expect(result.replay.command).toBe('npx logjam run --adapter reference-bug-abba --scenario lock-inversion --seed 1');
  });
});
