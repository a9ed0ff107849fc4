/**
 * The main thread's stall meter on a clock the test drives: which gaps are stalls, where the
 * time went, and what logjam's own scheduling points held back.
 */

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/index.js';
import { LoopStallMeter } from '../../harness/watchdog/loop-stall.js';

function meter(held: { ms: number } = { ms: 0 }, starved?: { ms: number }): { stalls: Finding[]; m: LoopStallMeter } {
  const stalls: Finding[] = [];
  const m = new LoopStallMeter(1000, (f) => stalls.push(f), () => held.ms, () => starved?.ms, 0);
  m.arm(0);
  return { stalls, m };
}

describe('the stall meter', () => {
  it('reports nothing before it is armed: loading modules is not logging', () => {
    const stalls: Finding[] = [];
    const m = new LoopStallMeter(1000, (f) => stalls.push(f), () => 0, () => undefined, 0);
    m.beat(5000);
    m.arm(5010);
    m.beat(5020);
    expect(stalls).toEqual([]);
  });

  it('reports nothing while beats come on time, however long the run', () => {
    const { stalls, m } = meter();
    for (let t = 10; t <= 60_000; t += 10) m.beat(t);
    expect(stalls).toEqual([]);
  });

  it('calls a gap spent mostly in the documented close information, with the time per operation', () => {
    const { stalls, m } = meter();
    m.enter('log', 0);
    m.enter('idle', 300);
    m.enter('close', 310);
    m.enter('idle', 2010);
    m.beat(2020);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toMatchObject({
      kind: 'event-loop-stall',
      severity: 'info',
      message: "The main thread's event loop was blocked for 2020 ms, 1700 ms of it in the logger's documented close, which waits synchronously for the sink",
      evidence: { thread: 'main', gapMs: 2020, thresholdMs: 1000, op: 'close', opsMs: { close: 1700, log: 300, idle: 20 } },
    });
  });

  it('calls a gap spent mostly logging a warning', () => {
    const { stalls, m } = meter();
    m.enter('log', 0);
    m.enter('close', 1500);
    m.enter('idle', 1600);
    m.beat(1600);
    expect(stalls.map((f) => [f.severity, f.message])).toEqual([['warning', "The main thread's event loop was blocked for 1600 ms, 1500 ms of it in log"]]);
  });

  it("takes the time held at logjam's scheduling points off the gap and off the operation it fell in", () => {
    const held = { ms: 0 };
    const { stalls, m } = meter(held);
    m.enter('log', 0);
    held.ms = 800; // held while logging
    m.enter('close', 1200);
    m.beat(1500);
    // 1500 ms, 800 of them held: 700 ms of the logger's own, under the threshold.
    expect(stalls).toEqual([]);

    m.enter('log', 1500);
    held.ms = 1300;
    m.enter('close', 2600);
    m.beat(4000);
    expect(stalls.map((f) => [f.severity, f.message, f.evidence['heldByScheduleMs']])).toEqual([
      ['info', "The main thread's event loop was blocked for 2000 ms (besides 500 ms held at logjam's scheduling points), 1400 ms of it in the logger's documented close, which waits synchronously for the sink", 500],
    ]);
  });

  it('takes the time the thread stood ready without a CPU off the gap: a busy machine is not a blocked loop', () => {
    const starved = { ms: 40 };
    const { stalls, m } = meter({ ms: 0 }, starved);
    m.enter('log', 0);
    // 1800 ms between beats, 1100 of them waiting on a run queue: 700 ms of the logger's own.
    starved.ms = 1140;
    m.beat(1800);
    expect(stalls).toEqual([]);

    // The next gap: 2500 ms, 300 of them starved; the wait is read afresh, not counted twice.
    starved.ms = 1440;
    m.beat(4300);
    expect(stalls.map((f) => [f.severity, f.message, f.evidence['gapMs'], f.evidence['starvedMs']])).toEqual([
      ['warning', "The main thread's event loop was blocked for 2200 ms (besides 300 ms the thread stood ready without a CPU), 2200 ms of it in log", 2200, 300],
    ]);
  });

  it('judges the gap on the wall where the OS does not say how long the thread waited for a CPU', () => {
    const { stalls, m } = meter();
    m.enter('log', 0);
    m.beat(1800);
    expect(stalls.map((f) => [f.evidence['gapMs'], f.evidence['starvedMs']])).toEqual([[1800, undefined]]);
  });
});
