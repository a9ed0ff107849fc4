/**
 * The load clock the watchdog's hang and wedge windows run on: wall time less the time the
 * process's threads stood ready without a CPU. Pure: the readings are the test's.
 */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LoadClock, ownThreadId, readRunQueueWaits } from '../../harness/util/cpu-clock.js';
import { closeWithDeadline, withCpuDeadline } from '../../harness/util/deadline.js';

const waits = (...pairs: [number, number][]): Map<number, number> => new Map(pairs);

describe('the load clock', () => {
  it('runs at wall speed while no thread waits for a CPU: a parked, hung process is judged as on a quiet machine', () => {
    const clock = new LoadClock(0, 100, waits([1, 5], [2, 0]));
    for (let now = 100; now <= 3000; now += 100) clock.tick(now, waits([1, 5], [2, 0]));
    expect(clock.now).toBe(3000);
    expect(clock.seen(3000)).toEqual({ wallMs: 3000, starvedMs: 0, source: 'schedstat' });
  });

  it('does not count the time a thread stood ready without a CPU, and says so', () => {
    // Thread 2 (a relay) waits 60 ms of every 100 behind other processes' work.
    const clock = new LoadClock(0, 100, waits([1, 0], [2, 0]));
    for (let now = 100, waited = 60; now <= 5000; now += 100, waited += 60) clock.tick(now, waits([1, 2], [2, waited]));
    expect(clock.now).toBe(2000);
    expect(clock.seen(1000, 9.5)).toEqual({ wallMs: 2500, starvedMs: 1500, source: 'schedstat', loadAverage: 9.5 });
  });

  it('takes off the largest wait of one thread, not the sum: threads that wait side by side lose that time once', () => {
    const clock = new LoadClock(0, 100, waits([1, 0], [2, 0], [3, 0]));
    clock.tick(100, waits([1, 40], [2, 40], [3, 40]));
    expect(clock.now).toBe(60);
  });

  it('counts a new thread\'s whole wait within the interval it was born in, and never runs backwards', () => {
    const clock = new LoadClock(0, 100, waits([1, 0]));
    clock.tick(100, waits([1, 0], [7, 30]));
    expect(clock.now).toBe(70);
    // A wait larger than the interval (a reading that came late) stops the clock, no more.
    clock.tick(200, waits([1, 500], [7, 30]));
    expect(clock.now).toBe(70);
  });

  it("falls back to its own lateness where the OS does not say: a look that came late was itself starved", () => {
    const clock = new LoadClock(0, 100, undefined);
    clock.tick(100, undefined);
    clock.tick(1300, undefined);
    // 1200 ms between two looks meant 100 apart: 1000 of them are not counted.
    expect(clock.now).toBe(300);
    expect(clock.seen(300)).toEqual({ wallMs: 1300, starvedMs: 1000, source: 'timer-lateness' });
  });

  it.runIf(existsSync('/proc/thread-self/schedstat'))('reads every thread of this process from Linux schedstat', () => {
    const read = readRunQueueWaits();
    expect(read?.get(process.pid)).toBeGreaterThanOrEqual(0);
    expect(readRunQueueWaits('/nonexistent')).toBeUndefined();
    // The watchdog leaves its own thread out: its late look stops no one's progress.
    const self = ownThreadId();
    expect(self).toBeGreaterThan(0);
    expect(readRunQueueWaits(undefined, self)?.has(self as number)).toBe(false);
  });
});

describe('a shutdown bounded on the CPU clock', () => {
  it('answers the shutdown that settles, with its wall time', async () => {
    expect(await withCpuDeadline(() => Promise.resolve(7), 5000)).toMatchObject({ ok: true, value: 7 });
    expect(await closeWithDeadline({ close: () => Promise.reject(new Error('write after end')) }, 5000)).toMatchObject({ ok: false, error: 'write after end' });
  });

  it('times out a shutdown that never settles: it waits for no CPU, so its bound passes on the wall', async () => {
    const closed = await closeWithDeadline({ close: () => new Promise<void>(() => undefined) }, 300);
    expect(closed.ok).toBe(false);
    expect(closed.error).toBeUndefined();
    expect(closed.ms).toBeGreaterThanOrEqual(300);
  });
});
