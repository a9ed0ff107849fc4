/**
 * Scheduling points: where the threads of a run can be delayed or held, so that thread
 * interleavings are explored on purpose rather than left to two cores' luck.
 *
 * Every instrumented lock acquire, every write through logjam's sink and every harness log call
 * is a scheduling point. Two modes use them:
 *
 * - `pct`: seeded delays in the spirit of PCT (Burckhardt et al., "A Randomized Scheduler with
 *   Probabilistic Guarantees of Finding Bugs"). Each thread draws a priority from the seed; at a
 *   point, a low-priority thread yields for a few tens of microseconds, and at `depth` seeded
 *   change points a thread's priority drops to the bottom. Cheap, always on in `logjam stress`.
 * - `controlled`: one thread runs at a time between points. A coordinator thread
 *   (scheduler-worker.ts) waits until every controlled thread is held at a point, parked on a
 *   wait, or finished, and then lets exactly one proceed. By default the thread that ran last
 *   keeps running (no preemption); the schedule is the list of preemptions, each "at step k,
 *   switch to the j-th other held thread". That schedule is a fast-check arbitrary: a failing one
 *   shrinks to the fewest, earliest preemptions, as CHESS's preemption bounding suggests most
 *   concurrency bugs need only one or two.
 *
 * Outside the harness, or with no mode, a point is one load of a module variable.
 */

import { rawNotify, rawWait } from './atomics.js';
import { createRandom, deriveSeed } from '../util/random.js';
import type { ScheduleSpec } from '../contract/schedule-spec.js';



/** Where a thread stands, as the coordinator sees it. */
export type PointKind = 'lock' | 'sink' | 'log';
export const POINT_KINDS: readonly PointKind[] = ['lock', 'sink', 'log'];

// ---- the shared words of a controlled run ----
export const S_WAKE = 0;
export const S_STEP = 1;
/** A thread waited for its turn past the bound and went on alone: the run is no longer controlled. */
export const S_ABANDONED = 2;
export const S_STOP = 3;
/** Control starts when the scenario's load starts; before, set-up runs free. */
export const S_GO = 4;
/**
 * Virtual time: under control, a timed wait on an instrumented primitive times out only when
 * the coordinator advances this word, which it does when every thread is parked. A timeout
 * then happens at the same step in every replay, not when the wall clock says so.
 */
export const S_TICK = 5;
/** Producer threads that must each reach a first point before the coordinator's first decision. */
export const S_EXPECT = 6;
export const S_SLOTS = 8;
const SLOT_WORDS = 4;
/** The sequence number of the point a thread is held at (0: not held). */
export const P_AT = 0;
/** The sequence number the coordinator granted. */
export const P_GRANT = 1;
/** Points this thread has reached so far; nonzero marks the thread as controlled. */
export const P_COUNT = 2;
export const P_KIND = 3;
export const scheduleWords = (slots: number): number => S_SLOTS + slots * SLOT_WORDS;
export const slotWord = (slot: number, field: number): number => S_SLOTS + slot * SLOT_WORDS + field;

/** How long a thread waits for its turn before it gives up on control (and says so). */
const TURN_BOUND_MS = 5000;

export interface ScheduleShared {
  readonly spec: ScheduleSpec;
  readonly buffer: SharedArrayBuffer;
}

export function createScheduleShared(spec: ScheduleSpec, slots: number): ScheduleShared {
  return { spec, buffer: new SharedArrayBuffer(scheduleWords(slots) * 4) };
}

interface PointClient {
  point(kind: PointKind): void;
  /** The virtual clock of a controlled run while control is on; undefined otherwise. */
  clock(): VirtualClock | undefined;
}

export interface VirtualClock {
  /** The current tick. */
  now(): number;
  /** Whether control is still on (not stopped, not abandoned). */
  active(): boolean;
}

/** This thread's virtual clock, when its timed waits must follow the coordinator's time. */
export function virtualClock(): VirtualClock | undefined {
  return client?.clock();
}

let client: PointClient | undefined;
/** Milliseconds this thread has spent held at scheduling points: logjam's own doing, not the logger's. */
let heldMs = 0;

/** How long this thread has been held at scheduling points so far, in ms (0 without a schedule). */
export function scheduleHeldMs(): number {
  return heldMs;
}

/** Whether this thread runs under a schedule (perturbed or controlled): fixed once its runtime is attached. */
export function scheduleAttached(): boolean {
  return client !== undefined;
}

/** A scheduling point. Called by instrumented locks, the harness sink and harness log calls. */
export function schedulePoint(kind: PointKind): void {
  if (client !== undefined) client.point(kind);
}

/** Installs this thread's side of the run's schedule; called once per thread by the runtime. */
export function attachSchedule(shared: ScheduleShared | undefined, slot: number): void {
  if (shared === undefined) return;
  client = shared.spec.mode === 'pct' ? new PctClient(shared.spec, slot) : new ControlledClient(shared.buffer, slot);
}

class ControlledClient implements PointClient {
  readonly #w: Int32Array;
  readonly #slot: number;
  #seq = 0;
  #free = false;

  readonly #clock: VirtualClock;

  constructor(buffer: SharedArrayBuffer, slot: number) {
    const w = new Int32Array(buffer);
    this.#w = w;
    this.#slot = slot;
    this.#clock = {
      now: () => Atomics.load(w, S_TICK),
      active: () => !this.#free && Atomics.load(w, S_GO) !== 0 && Atomics.load(w, S_STOP) === 0 && Atomics.load(w, S_ABANDONED) === 0,
    };
  }

  clock(): VirtualClock | undefined {
    return this.#clock.active() ? this.#clock : undefined;
  }

  point(kind: PointKind): void {
    const w = this.#w;
    if (this.#free || Atomics.load(w, S_GO) === 0 || Atomics.load(w, S_STOP) !== 0) return;
    const seq = ++this.#seq;
    Atomics.store(w, slotWord(this.#slot, P_KIND), POINT_KINDS.indexOf(kind));
    Atomics.add(w, slotWord(this.#slot, P_COUNT), 1);
    Atomics.store(w, slotWord(this.#slot, P_AT), seq);
    Atomics.add(w, S_WAKE, 1);
    rawNotify(w, S_WAKE);
    const grant = slotWord(this.#slot, P_GRANT);
    const heldFrom = performance.now();
    const until = heldFrom + TURN_BOUND_MS;
    for (;;) {
      const granted = Atomics.load(w, grant);
      if (granted === seq || Atomics.load(w, S_STOP) !== 0) break;
      const left = until - performance.now();
      if (left <= 0) {
        // The coordinator is gone or wedged: never let control become a hang of its own.
        Atomics.store(w, S_ABANDONED, 1);
        this.#free = true;
        break;
      }
      rawWait(w, grant, granted, Math.min(left, 100));
    }
    heldMs += performance.now() - heldFrom;
    Atomics.store(w, slotWord(this.#slot, P_AT), 0);
  }
}

class PctClient implements PointClient {
  readonly #random: () => number;
  /** In [0, 1): 0 is the highest priority, never delayed. */
  #priority: number;
  readonly #changes: number[];
  #points = 0;
  readonly #pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(spec: Extract<ScheduleSpec, { mode: 'pct' }>, slot: number) {
    this.#random = createRandom(deriveSeed(spec.seed, 1000 + slot));
    this.#priority = this.#random();
    this.#changes = Array.from({ length: spec.depth }, () => 1 + Math.floor(this.#random() * 2000)).sort((a, b) => a - b);
  }

  clock(): undefined {
    return undefined;
  }

  point(): void {
    const n = ++this.#points;
    if (this.#changes[0] === n) {
      this.#changes.shift();
      this.#priority = 0.999;
    }
    // A low-priority thread steps aside at one point in four, for up to 200 µs.
    if (this.#random() < 0.25 && this.#priority > 0.25) {
      const from = performance.now();
      rawWait(this.#pause, 0, 0, this.#priority * 0.2);
      heldMs += performance.now() - from;
    }
  }
}

/**
 * Starts control, as the scenario's load starts (just before the producers' start gate opens):
 * what runs before (the logger's set-up, its threads starting) runs free, so the first decision
 * does not depend on how fast each thread started.
 */
export function startSchedule(shared: ScheduleShared | undefined, producers = 0): void {
  if (shared === undefined || shared.spec.mode !== 'controlled') return;
  const w = new Int32Array(shared.buffer);
  Atomics.store(w, S_EXPECT, producers);
  if (Atomics.exchange(w, S_GO, 1) === 0) rawNotify(w, S_WAKE);
}

/** Ends control: every held thread goes on, and points pass freely from now on. */
export function stopSchedule(shared: ScheduleShared | undefined): void {
  if (shared === undefined || shared.spec.mode !== 'controlled') return;
  const w = new Int32Array(shared.buffer);
  Atomics.store(w, S_STOP, 1);
  rawNotify(w, S_WAKE);
  for (let at = S_SLOTS + P_GRANT; at < w.length; at += SLOT_WORDS) rawNotify(w, at);
}
