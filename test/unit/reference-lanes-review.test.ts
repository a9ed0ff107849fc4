/**
 * Review of the reference queue's lanes (issue 15c) and staging area: regression tests for the
 * defects found there, each reproduced deterministically. Each view over one handle plays one thread; the test thread plays the listener.
 * Where another thread would have to run at one exact point of a producer's append, the
 * producer's own code path runs it there (a drop listener, or a subclass's limitFor, which
 * #laneReserve calls after it read the stopping state): no sleeps, no timing.
 */

import { describe, expect, it } from 'vitest';
import { SharedQueue } from '../../adapters/reference/queue.js';
import { drainer } from '../fixtures/reference/drain.js';

const MiB = 1024 * 1024;
/** queue.ts's control word indices (private there). */
const QUEUED = 4;
const CLAIMS = 14;
const LANE0_BUSY = 32 + 1;

describe('reference queue lanes: review regressions', () => {
  it('writes every ERROR it accepted when a drop listener logs during the lane eviction that made room for it', () => {
    const handle = SharedQueue.allocate({ capacity: MiB });
    const threads = Array.from({ length: 5 }, () => new SharedQueue(handle));
    const drain = drainer(new SharedQueue(handle));
    for (let i = 0; i < 4; i++) (threads[i] as SharedQueue).append(30, 1, `t${i}`, 'take a lane', '', '', '');
    const shared = threads[4] as SharedQueue;
    let n = 0;
    while (shared.append(40, 1, 's', `S${n} ${'z'.repeat(200)}`, '', '', '')) n++;
    const lane = threads[0] as SharedQueue;
    let infos = 0;
    while (lane.append(20, 1, 'a', `I${infos} ${'w'.repeat(100)}`, '', '', '')) infos++;
    // A drop listener that logs once (the lane code's own comment: "a drop listener may log").
    let nested = false;
    lane.onDrop((level) => {
      if (level !== 'info' || nested) return;
      nested = true;
      lane.append(20, 1, 'a', 'from the drop listener', '', '', '');
    });
    const accepted: string[] = [];
    const droppedBefore = lane.dropped().error;
    for (let e = 0; e < 400; e++) if (lane.append(40, 1, 'a', `E${e} ${'w'.repeat(100)}`, '', '', '')) accepted.push(`E${e}`);
    expect(nested).toBe(true);
    const errorsDropped = lane.dropped().error - droppedBefore;
    const written = new Set(drain().filter((r) => r.name === 'a' && r.level === 40).map((r) => r.message.split(' ')[0] as string));
    const lost = accepted.filter((m) => !written.has(m));
    // Every ERROR append that answered true must be written; here one is silently gone.
    expect({ lost, errorsDropped, accounted: lane.settled === lane.accepted }).toEqual({ lost: [], errorsDropped, accounted: true });
  });

  it('does not let the listener conclude "drained" at stop while a level-0 record that saw RUNNING is being written', () => {
    const handle = SharedQueue.allocate({ capacity: MiB });
    const stopper = new SharedQueue(handle);
    const listener = new SharedQueue(handle);
    const ctl = new Int32Array(handle.control);
    let hook: (() => void) | undefined;
    class Probe extends SharedQueue {
      protected override limitFor(level: number, cap?: number): number {
        const h = hook;
        hook = undefined;
        h?.();
        return super.limitFor(level, cap);
      }
    }
    const run = (level: number): { busyWhileWriting: number; drained?: boolean; queuedAfter: number; appended: boolean } => {
      const producer = new Probe(handle);
      let busyWhileWriting = -99;
      let drained: boolean | undefined;
      // Runs inside #laneReserve, after the producer read STATE (RUNNING) and before it publishes.
      hook = () => {
        busyWhileWriting = Atomics.load(ctl, LANE0_BUSY);
        if (busyWhileWriting !== 0) return; // drainedForStop would (rightly) wait for this producer
        stopper.stop(0); // STATE = STOPPING; no listener runs here, so it returns at once
        drained = listener.drainedForStop(); // the listener's last check: it would end now
      };
      const appended = producer.append(level, 1, 'p', 'saw RUNNING', '', '', '');
      return { busyWhileWriting, ...(drained === undefined ? {} : { drained }), queuedAfter: listener.queued, appended };
    };
    // Level 0 (or 0.5, or any level whose Int32 is 0): the busy word reads "not busy".
    const r = run(0);
    expect(r.appended).toBe(true);
    // The producer reads as busy between its check of the state and its publish...
    expect(r.busyWhileWriting).not.toBe(0);
    // The listener said drained, and then the record it accepted was published: never written.
    expect(r).not.toMatchObject({ drained: true, queuedAfter: 1 });
  });

  it('keeps a thread\'s order across a spill after the claims counter wrapped past 2^31', () => {
    const handle = SharedQueue.allocate({ capacity: MiB });
    const ctl = new Int32Array(handle.control);
    const q = new SharedQueue(handle);
    const drain = drainer(new SharedQueue(handle));
    // 2^31 - 1 claims made (about 25 days of 1 ms naps under steady load); the next claim wraps.
    Atomics.store(ctl, CLAIMS, 0x7fffffff);
    drain();
    expect(Atomics.load(ctl, CLAIMS)).toBeLessThan(0);
    let seq = 0;
    // Big records until one spills into the shared ring (its lane is at the INFO limit).
    while (Atomics.load(ctl, QUEUED) === 0) expect(q.append(20, 1, 'a', `${seq++} ${'b'.repeat(2000)}`, '', '', '')).toBe(true);
    // Small records: they still fit in the lane; the thread must stay on the shared ring until a claim.
    for (let i = 0; i < 5; i++) expect(q.append(20, 1, 'a', `${seq++} s`, '', '', '')).toBe(true);
    const seqs = drain().map((r) => Number(r.message.split(' ')[0]));
    expect(seqs).toEqual(Array.from({ length: seq }, (_, i) => i));
  });
});

describe('reference queue staging area (ded650d)', () => {
  it('builds a queue of any capacity the option accepts (rounded up to a multiple of 8)', () => {
    // 256 KiB + 8: the staging area is capacity >> 2 = 65 538 bytes, and the ring's buffer is
    // then no multiple of 4 (nor 8): the Int32Array/Float64Array views over it throw.
    for (const capacity of [262_144, 262_152, 300_008, 1_000_004]) expect(() => new SharedQueue(SharedQueue.allocate({ capacity }))).not.toThrow();
  });
});
