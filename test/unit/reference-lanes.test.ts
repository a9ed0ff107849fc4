/**
 * The reference queue's lanes (adapters/reference/queue.ts): a queue of 512 KiB or more gives each
 * thread a lane of its own at its first record (4 lanes; later threads log into the shared ring),
 * a full lane spills into the shared ring, and an ERROR the shared ring refuses evicts in its
 * own lane. Lane state is per SharedQueue view, so here each view over one handle plays one
 * thread, and the test thread plays the listener too (the locks are plain Atomics locks here).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedQueue } from '../../adapters/reference/queue.js';
import { drainer, type Drained } from '../fixtures/reference/drain.js';

const MiB = 1024 * 1024;

/** Views over one queue, one per "thread"; `drain` claims everything, reads it and gives it back. */
function queueOf(views: number, capacity = MiB): { threads: SharedQueue[]; drain: () => Drained[] } {
  const handle = SharedQueue.allocate({ capacity });
  const threads = Array.from({ length: views }, () => new SharedQueue(handle));
  const drain = drainer(new SharedQueue(handle));
  return { threads, drain };
}

describe('the reference queue lanes', () => {
  it("writes every thread's records once and in order, through full lanes spilling into the shared ring and back", () => {
    // 10 threads on 4 lanes: six log into the shared ring from the start. Bursts of up to 1 500
    // records of up to 130 bytes fill a 128 KiB lane (the shared ring is 512 KiB).
    const step = fc.oneof(
      fc.record({ burst: fc.integer({ min: 0, max: 9 }), n: fc.integer({ min: 1, max: 1500 }), pad: fc.integer({ min: 0, max: 80 }) }),
      fc.constant({ drain: true as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const { threads, drain } = queueOf(10);
        const logged = new Array<number>(10).fill(0);
        const seen = new Map<string, number[]>();
        const take = (): void => {
          for (const r of drain()) {
            let s = seen.get(r.name);
            if (s === undefined) seen.set(r.name, (s = []));
            s.push(Number(r.message.slice(0, r.message.indexOf(' '))));
          }
        };
        for (const s of steps) {
          if ('drain' in s) {
            take();
            continue;
          }
          const q = threads[s.burst] as SharedQueue;
          for (let i = 0; i < s.n; i++) {
            const seq = logged[s.burst] ?? 0;
            logged[s.burst] = seq + 1;
            q.append(20, 1, `t${s.burst}`, `${seq} ${'x'.repeat(s.pad)}`, '', '', '');
          }
        }
        take();
        let delivered = 0;
        for (const [, seqs] of seen) {
          // In order and no duplicates: strictly increasing.
          for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
          delivered += seqs.length;
        }
        const total = logged.reduce((a, b) => a + b, 0);
        const viewer = threads[0] as SharedQueue;
        expect(delivered + viewer.dropped().total).toBe(total);
        expect(viewer.accepted).toBe(delivered);
        expect(viewer.settled).toBe(delivered);
        expect(viewer.queued).toBe(0);
        expect(viewer.usedBytes).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('spills a full lane into the shared ring instead of dropping, and comes back to the lane after a claim', () => {
    const { threads, drain } = queueOf(1);
    const q = threads[0] as SharedQueue;
    // 2 000 records of ~140 bytes: far more than a 128 KiB lane, less than it and 3/4 of the shared ring.
    for (let i = 0; i < 2000; i++) expect(q.append(20, 1, 'a', `${i} ${'y'.repeat(40)}`, '', '', '')).toBe(true);
    const first = drain();
    expect(first.map((r) => Number(r.message.split(' ')[0]))).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    for (let i = 2000; i < 2100; i++) expect(q.append(20, 1, 'a', `${i} y`, '', '', '')).toBe(true);
    // After the claim the thread is back in its lane; the shared ring is empty.
    expect(drain().map((r) => Number(r.message.split(' ')[0]))).toEqual(Array.from({ length: 100 }, (_, i) => 2000 + i));
    expect(q.dropped().total).toBe(0);
  });

  it('evicts lower-severity records of its own lane for an ERROR the shared ring refuses, and drops an ERROR only when its lane holds nothing else', () => {
    // Threads 0-3 take the 4 lanes; thread 4 logs into the shared ring, which it fills with ERRORs.
    const { threads, drain } = queueOf(5);
    const lane = threads[0] as SharedQueue;
    const shared = threads[4] as SharedQueue;
    // (thread 0's is a WARN: evicted after every INFO, it does not touch the INFO counts below).
    for (let i = 0; i < 4; i++) (threads[i] as SharedQueue).append(i === 0 ? 30 : 20, 1, `t${i}`, 'take a lane', '', '', '');
    let sharedErrors = 0;
    while (shared.append(40, 1, 's', `E${sharedErrors} ${'z'.repeat(200)}`, '', '', '')) sharedErrors++;
    // Thread 0 fills its lane with INFO to the INFO limit; the spill is refused (shared ring full).
    let infos = 0;
    while (lane.append(20, 1, 'a', `I${infos} ${'w'.repeat(100)}`, '', '', '')) infos++;
    const droppedBefore = lane.dropped();
    expect(droppedBefore.error).toBe(1); // the shared ring's own last ERROR, refused among ERRORs only
    // ERRORs: the lane's last quarter first, then evicting the lane's INFO records, oldest first.
    let errors = 0;
    while (lane.append(40, 1, 'a', `E${errors} ${'w'.repeat(100)}`, '', '', '')) errors++;
    const dropped = lane.dropped();
    expect(dropped.error).toBe(2); // the one refused when the lane held only ERRORs
    expect(dropped.info - droppedBefore.info).toBeGreaterThan(0);
    const got = drain().filter((r) => r.name === 'a');
    const kept = got.map((r) => r.message.split(' ')[0] as string);
    // Every ERROR kept, after the INFO records that survived, which are the newest ones.
    expect(kept.filter((m) => m.startsWith('E'))).toEqual(Array.from({ length: errors }, (_, i) => `E${i}`));
    const keptInfo = kept.filter((m) => m.startsWith('I')).map((m) => Number(m.slice(1)));
    expect(kept.slice(0, keptInfo.length).every((m) => m.startsWith('I'))).toBe(true);
    expect(keptInfo).toEqual(Array.from({ length: keptInfo.length }, (_, i) => infos - keptInfo.length + i));
    expect(keptInfo.length + (dropped.info - droppedBefore.info)).toBe(infos);
  });

  it('refuses and counts a record logged after stop() in a lane, and says drained once the lanes are empty', () => {
    const { threads, drain } = queueOf(2);
    const q = threads[0] as SharedQueue;
    expect(q.append(20, 1, 'a', 'before', '', '', '')).toBe(true);
    expect(q.queued).toBe(1);
    // No listener runs here: stop(0) sets STOPPING and gives up waiting at once.
    expect((threads[1] as SharedQueue).stop(0)).toBe(false);
    expect(q.append(20, 1, 'a', 'after', '', '', '')).toBe(false);
    expect(q.dropped().info).toBe(1);
    expect(q.drainedForStop()).toBe(false);
    expect(drain().map((r) => r.message)).toEqual(['before']);
    expect(q.drainedForStop()).toBe(true);
  });
});
