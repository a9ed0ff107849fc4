/**
 * Issue 13: the watchdog's time-judged verdicts hold on a loaded machine. Each run here is
 * judged with two CPU-burning processes beside it (started by the test, ended after it): a
 * correct logger that is slow on purpose is not called hung, and loggers that really hang, parked
 * or spinning, are still reported, with what the watchdog saw of the load in the evidence.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

/** Two processes that spin on a CPU each until they are killed: the load the issue names. */
async function withBurners<T>(work: () => Promise<T>): Promise<T> {
  const burners: ChildProcess[] = [1, 2].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    return await work();
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
}

async function run(fixture: string, params: Record<string, unknown>, hangMs: number, timeoutMs: number) {
  return api.superviseRun({
    adapter: await api.resolveAdapter(join(FIXTURES, 'adapters', `${fixture}.ts`), ROOT),
    scenario: await api.resolveScenario('steady'),
    seed: 1,
    params,
    timeoutMs,
    hangMs,
    memoryMb: 1024,
    workDir: scratchDir(),
  });
}

// The load clock reads Linux's schedstat; elsewhere it falls back to the watchdog's own
// lateness, which a fair scheduler does not show, so the slow-logger case is Linux's.
const schedstat = existsSync('/proc/thread-self/schedstat');

describe('the hang window under two CPU-burning processes', () => {
  it.runIf(schedstat)('does not call a correct logger hung while its threads work slowly for lack of a CPU', async () => {
    // Two producers, each with four calls of 600 ms of CPU: beside two burners, four
    // threads share two cores and each call takes 1.2 s or more of wall time, past the 1 s
    // window; the threads never stop working. Before issue 13's load clock this was a hang.
    const result = await withBurners(() => run('cpu-heavy', { threads: 2, records: 200, batch: 16, maxPayload: 64 }, 1000, 120_000));
    expect(result.findings.filter((f) => f.kind === 'hang')).toEqual([]);
    expect(result.metrics).toMatchObject({ produced: 400, delivered: 400, lost: 0 });
    expect(result.status).toBe('pass');
  }, 180_000);

  it('still reports producers parked forever (a lost wakeup), saying what load it saw', async () => {
    const started = performance.now();
    const result = await withBurners(() => run('wedge-main', { threads: 2, records: 2000, batch: 128, maxPayload: 160 }, 1000, 60_000));
    const hang = result.findings.find((f) => f.kind === 'hang');
    expect(hang?.evidence['stuck']).toEqual(expect.arrayContaining(['producer-0']));
    // Reported by the watchdog, not by the deadline: parked threads wait for no CPU.
    expect(hang?.evidence['windowMs']).toBe(1000);
    expect(hang?.evidence['load']).toMatchObject({ source: schedstat ? 'schedstat' : 'timer-lateness' });
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);

  it('still reports a producer spinning forever, though its own wait for a CPU stretches the window', async () => {
    const result = await withBurners(() => run('busy-loop', { threads: 1, records: 2000, batch: 128, maxPayload: 160 }, 1000, 60_000));
    const hang = result.findings.find((f) => f.kind === 'hang');
    expect(hang?.evidence['stuck']).toEqual(['producer-0']);
    expect(hang?.evidence['windowMs']).toBe(1000);
  }, 120_000);
});

describe('natural-exit observes the process until it really ends', () => {
  async function naturalExit(fixture: string) {
    return withBurners(async () =>
      api.superviseRun({
        adapter: await api.resolveAdapter(join(FIXTURES, 'adapters', `${fixture}.ts`), ROOT),
        scenario: await api.resolveScenario('natural-exit'),
        seed: 1,
        params: { records: 50, maxPayload: 64 },
        timeoutMs: 60_000,
        memoryMb: 1024,
        workDir: scratchDir(),
      }),
    );
  }

  it("passes a logger whose late unref'd timer writes its tail and lets the process end, after the scenario's look at what keeps it alive", async () => {
    // Before issue 13 the look, 2 s after the scenario returned, was itself an exit-hang.
    const result = await naturalExit('late-tail');
    expect(result.findings.filter((f) => f.kind === 'exit-hang' || f.kind === 'exit-loss')).toEqual([]);
    expect(result.metrics).toMatchObject({ produced: 50, delivered: 50, lost: 0 });
    expect(result.metrics.exitMs).toBeGreaterThanOrEqual(2000);
    expect(result.status).toBe('pass');
  }, 120_000);

  it("flags a logger whose unref'd timer never runs at a natural exit: the tail is lost", async () => {
    const result = await naturalExit('unref-tail');
    expect(result.findings.find((f) => f.kind === 'exit-loss')).toMatchObject({ severity: 'error' });
    expect(result.metrics).toMatchObject({ produced: 50, delivered: 0, lost: 50 });
    expect(result.status).toBe('fail');
  }, 120_000);
});
