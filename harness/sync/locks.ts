/**
 * Synchronisation primitives over SharedArrayBuffer and Atomics, usable from any thread:
 * Mutex (optionally reentrant), Condition, Semaphore and RwLock.
 *
 * Every lock has a class, a name like `reference.queue`, as lockdep's lock classes: the
 * lock-order graph is drawn between classes, so an ordering mistake is found from any two
 * instances of the classes, not only from the two that happened to meet.
 *
 * Under the harness each operation also tells the run's sync runtime what it holds and what it
 * waits on (see runtime.ts). Outside the harness a primitive costs one extra branch on a
 * field that is undefined.
 *
 * A primitive is shared between threads through its `handle`, which structured-clones into
 * `postMessage` or `workerData`; `Mutex.from(handle)` on the other side gives the same lock.
 */

import { threadId } from 'node:worker_threads';
import { rawNotify, rawWait } from './atomics.js';
import { scheduleAttached, schedulePoint, virtualClock, type VirtualClock } from './schedule.js';

/** How often a timed wait under control looks at the virtual clock. */
const VIRTUAL_SLICE_MS = 2;
/** How far past its timeout a timed wait under control may run if control is lost. */
const VIRTUAL_GRACE_MS = 5000;
import {
  currentRuntime,
  FLAG_REENTRANT,
  FLAG_SITES,
  kindFlags,
  L_AUX,
  L_CLASS,
  L_COUNT,
  L_FLAGS,
  L_ID,
  L_OWNER,
  L_STATE,
  LOCK_STRIDE,
  LockError,
  SITE_GRACE_MS,
  type LockKind,
  type SyncRuntime,
} from './runtime.js';
import type { LockHandle, MutexOptions } from '../contract/lock-handle.js';
export type { LockHandle, MutexOptions };

export { LockError };

/** Spins this many times on a held lock before parking: short critical sections never park. */
const SPINS = 64;
const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;
/** The owner tag of this thread: never 0. */
const ME = threadId + 1;
/**
 * A Mutex's state word carries its owner: the tag above two state bits (LOCKED or CONTENDED),
 * so one compare-exchange takes the lock and names its holder, and one gives it back.
 */
const STATE_BITS = 3;
const OWNED = ME << 2;
const MINE = OWNED | LOCKED;
const MINE_CONTENDED = OWNED | CONTENDED;

abstract class Primitive {
  readonly handle: LockHandle;
  protected readonly w: Int32Array;
  protected readonly at: number;
  protected readonly rt: SyncRuntime | undefined;
  /** Lock id on the board (0 outside the harness). */
  protected readonly id: number;
  /** Lock class (its name's string id; 0 outside the harness). */
  readonly cls: number;
  /** Capture the acquire site every time (the lock's FLAG_SITES, LOGJAM_LOCK_SITES=all): read once. */
  protected readonly everySite: boolean;
  /**
   * Whether this thread runs under a schedule, whose scheduling points the lock must call. Read
   * once: a thread's schedule is attached with its runtime, before any of its locks is
   * instrumented (a lock made before that is not instrumented either).
   */
  protected readonly scheduled: boolean;

  protected constructor(handle: LockHandle) {
    this.handle = handle;
    this.w = new Int32Array(handle.buffer);
    this.at = handle.index;
    const id = Atomics.load(this.w, this.at + L_ID);
    // Instrumented only when this lock lives in the run's arena and this thread has a runtime.
    const rt = id > 0 ? currentRuntime() : undefined;
    this.rt = rt !== undefined && rt.shared.locks === handle.buffer ? rt : undefined;
    this.id = this.rt !== undefined ? id : 0;
    this.cls = Atomics.load(this.w, this.at + L_CLASS);
    this.everySite = (Atomics.load(this.w, this.at + L_FLAGS) & FLAG_SITES) !== 0;
    this.scheduled = scheduleAttached();
  }

  /** New words for a lock: in the run's arena under the harness, in a buffer of its own outside. */
  protected static allocate(className: string, kind: LockKind, reentrant: boolean): LockHandle {
    if (typeof className !== 'string' || className.length === 0) {
      throw new TypeError(`Expected a lock class name such as 'app.registry', got ${String(className)}`);
    }
    const rt = currentRuntime();
    const index = rt?.allocate(className, kind, reentrant) ?? -1;
    if (rt !== undefined && index >= 0) return { buffer: rt.shared.locks, index, className };
    const buffer = new SharedArrayBuffer(LOCK_STRIDE * 4);
    Atomics.store(new Int32Array(buffer), L_FLAGS, kindFlags(kind) | (reentrant ? FLAG_REENTRANT : 0));
    return { buffer, index: 0, className };
  }

  /** Parks until the word at `offset` is no longer `value` or `timeoutMs` passes. */
  protected park(kind: 'lock' | 'lock-shared' | 'condition' | 'semaphore', offset: number, value: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
    const rt = this.rt;
    if (rt === undefined) return rawWait(this.w, this.at + offset, value, timeoutMs);
    rt.beforeBlock(kind, this.id, offset, value);
    try {
      const started = performance.now();
      const clock = timeoutMs === Infinity ? undefined : virtualClock();
      if (clock !== undefined) return this.#parkVirtual(clock, offset, value, timeoutMs, rt, started);
      const first = rawWait(this.w, this.at + offset, value, Math.min(timeoutMs, SITE_GRACE_MS));
      if (first !== 'timed-out' || timeoutMs <= SITE_GRACE_MS) return first;
      rt.waitedLong();
      return rawWait(this.w, this.at + offset, value, timeoutMs - (performance.now() - started));
    } finally {
      rt.afterBlock();
    }
  }

  /**
   * A timed wait under a controlled schedule: it times out when the coordinator advances
   * virtual time (everyone parked), not by the wall clock, so it replays at the same step. A
   * wall-clock bound well past the timeout still ends it if control is lost.
   */
  #parkVirtual(clock: VirtualClock, offset: number, value: number, timeoutMs: number, rt: SyncRuntime, started: number): 'ok' | 'not-equal' | 'timed-out' {
    const tick = clock.now();
    const bound = started + timeoutMs + VIRTUAL_GRACE_MS;
    let siteShown = false;
    for (;;) {
      const r = rawWait(this.w, this.at + offset, value, VIRTUAL_SLICE_MS);
      if (r !== 'timed-out') return r;
      if (!siteShown) {
        rt.waitedLong();
        siteShown = true;
      }
      if (clock.now() !== tick || !clock.active() || performance.now() > bound) return 'timed-out';
    }
  }
}

export class Mutex extends Primitive {
  readonly #reentrant: boolean;

  static create(className: string, options: MutexOptions = {}): Mutex {
    return new Mutex(Primitive.allocate(className, 'mutex', options.reentrant === true));
  }

  static from(handle: LockHandle): Mutex {
    return new Mutex(handle);
  }

  private constructor(handle: LockHandle) {
    super(handle);
    this.#reentrant = (Atomics.load(this.w, this.at + L_FLAGS) & FLAG_REENTRANT) !== 0;
  }

  get reentrant(): boolean {
    return this.#reentrant;
  }

  /** Whether the calling thread holds this lock. */
  get held(): boolean {
    return ((this.w[this.at + L_STATE] as number) & ~STATE_BITS) === OWNED;
  }

  lock(): void {
    this.tryLock(Infinity);
  }

  /**
   * Takes the lock, waiting at most `timeoutMs` (0: do not wait). Answers whether it was taken.
   * Taking a non-reentrant lock this thread already holds throws a LockError rather than
   * waiting forever on itself.
   */
  tryLock(timeoutMs = 0): boolean {
    const w = this.w;
    const at = this.at;
    // The owner tag in the state word is written only by the thread that takes the lock (others
    // change the state bits only): a plain read of our own tag is never stale.
    if (this.#reentrant && ((w[at + L_STATE] as number) & ~STATE_BITS) === OWNED) {
      w[at + L_COUNT] = (w[at + L_COUNT] as number) + 1;
      return true;
    }
    if (this.scheduled) schedulePoint('lock');
    const rt = this.rt;
    if (Atomics.compareExchange(w, at + L_STATE, UNLOCKED, MINE) === UNLOCKED) {
      // Taken at once: nothing was waited on, so the lock-order checks may follow the take.
      if (this.#reentrant) w[at + L_COUNT] = 1;
      if (rt !== undefined) {
        if (rt.mustCheck(this.id)) this.#checkTaken(rt);
        rt.acquired(this.id, this.everySite);
      }
      return true;
    }
    if (((w[at + L_STATE] as number) & ~STATE_BITS) === OWNED) {
      // Under the harness the runtime reports it with the evidence before throwing.
      rt?.beforeAcquire(this.id, this.cls, false);
      throw new LockError(`Lock ${this.handle.className} is already held by this thread and is not reentrant`);
    }
    // About to spin or park: the lock-order edge is published before this thread can block.
    if (rt !== undefined && rt.row.depth > 0) rt.beforeAcquire(this.id, this.cls, this.#reentrant);
    if (!this.#lockSlow(timeoutMs)) return false;
    if (this.#reentrant) w[at + L_COUNT] = 1;
    if (rt !== undefined) rt.acquired(this.id, this.everySite);
    return true;
  }

  /** The nested checks after an immediate take; if they fail, the lock is given back before the error goes on. */
  #checkTaken(rt: SyncRuntime): void {
    try {
      rt.beforeAcquire(this.id, this.cls, this.#reentrant);
    } catch (error: unknown) {
      this.#free();
      throw error;
    }
  }

  #lockSlow(timeoutMs: number): boolean {
    const w = this.w;
    const at = this.at + L_STATE;
    for (let i = 0; i < SPINS; i++) {
      if (Atomics.load(w, at) === UNLOCKED && Atomics.compareExchange(w, at, UNLOCKED, MINE) === UNLOCKED) return true;
    }
    if (timeoutMs <= 0) return false;
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    // Drepper's futex mutex, with the owner's tag kept in the word: mark the lock contended,
    // park while the word stays exactly that.
    for (;;) {
      let c = Atomics.load(w, at);
      if (c === UNLOCKED) {
        // Taken as contended: another waiter may be parked, and its wakeup must not be lost.
        if (Atomics.compareExchange(w, at, UNLOCKED, MINE_CONTENDED) === UNLOCKED) return true;
        continue;
      }
      if ((c & STATE_BITS) === LOCKED) {
        const marked = (c & ~STATE_BITS) | CONTENDED;
        if (Atomics.compareExchange(w, at, c, marked) !== c) continue;
        c = marked;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      this.park('lock', L_STATE, c, left);
      // Woken: under a controlled schedule, which of the woken threads retries first is a choice.
      schedulePoint('lock');
    }
  }

  unlock(): void {
    const w = this.w;
    const at = this.at;
    if (((w[at + L_STATE] as number) & ~STATE_BITS) !== OWNED) {
      throw new LockError(`Lock ${this.handle.className} is unlocked by a thread that does not hold it`);
    }
    if (this.#reentrant) {
      const count = (w[at + L_COUNT] as number) - 1;
      w[at + L_COUNT] = count;
      if (count > 0) return;
    }
    // Off the board before the lock is free: the board never shows a lock held by two threads.
    if (this.rt !== undefined) this.rt.released(this.id);
    this.#free();
  }

  /** Frees the lock, and wakes one waiter if any marked it contended. */
  #free(): void {
    const w = this.w;
    const at = this.at + L_STATE;
    if (Atomics.compareExchange(w, at, MINE, UNLOCKED) !== MINE) {
      Atomics.store(w, at, UNLOCKED);
      rawNotify(w, at, 1);
    }
  }

  /** For Condition: releases every level of a reentrant hold and answers the depth. */
  releaseAll(): number {
    const depth = this.#reentrant ? (this.w[this.at + L_COUNT] as number) : 1;
    if (this.#reentrant) this.w[this.at + L_COUNT] = 1;
    this.unlock();
    return depth;
  }

  /** For Condition: takes the lock back at the depth `releaseAll` answered. */
  restore(depth: number): void {
    this.lock();
    if (this.#reentrant) this.w[this.at + L_COUNT] = depth;
  }

  /** Runs `fn` holding the lock, and releases it however `fn` ends. */
  with<T>(fn: () => T): T {
    this.lock();
    try {
      return fn();
    } finally {
      this.unlock();
    }
  }
}

/**
 * A condition variable bound to a mutex at each wait. Waiting releases the mutex (fully, even
 * when reentrant), parks until notified or timed out, and takes the mutex back.
 */
export class Condition extends Primitive {
  static create(className: string): Condition {
    return new Condition(Primitive.allocate(className, 'condition', false));
  }

  static from(handle: LockHandle): Condition {
    return new Condition(handle);
  }

  private constructor(handle: LockHandle) {
    super(handle);
    this.rt?.trackConditions();
  }

  /**
   * Answers false when `timeoutMs` passed without a notify. The caller must hold `mutex`.
   * Under the harness, every other lock still held while waiting is a cross-release edge
   * (SyncRuntime.beforeConditionWait): a notifier that needs one of them cannot notify.
   */
  wait(mutex: Mutex, timeoutMs = Infinity): boolean {
    const seq = Atomics.load(this.w, this.at + L_AUX);
    const rt = this.rt;
    const depth = mutex.releaseAll();
    if (rt !== undefined && rt.row.depth > 0) rt.beforeConditionWait(this.cls, mutex.cls);
    const result = this.park('condition', L_AUX, seq, timeoutMs);
    mutex.restore(depth);
    return result !== 'timed-out';
  }

  notify(count = 1): void {
    this.rt?.beforeNotify(this.cls);
    Atomics.add(this.w, this.at + L_AUX, 1);
    rawNotify(this.w, this.at + L_AUX, count);
  }

  notifyAll(): void {
    this.notify(Infinity);
  }
}

/** A counting semaphore: `acquire` takes one permit, waiting for one if none is left. */
export class Semaphore extends Primitive {
  static create(className: string, permits: number): Semaphore {
    if (!Number.isInteger(permits) || permits < 0) throw new RangeError(`Expected a whole number of permits, got ${permits}`);
    const s = new Semaphore(Primitive.allocate(className, 'semaphore', false));
    Atomics.store(s.w, s.at + L_STATE, permits);
    return s;
  }

  static from(handle: LockHandle): Semaphore {
    return new Semaphore(handle);
  }

  private constructor(handle: LockHandle) {
    super(handle);
  }

  get permits(): number {
    return Atomics.load(this.w, this.at + L_STATE);
  }

  acquire(timeoutMs = Infinity): boolean {
    const w = this.w;
    const at = this.at + L_STATE;
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const n = Atomics.load(w, at);
      if (n > 0) {
        if (Atomics.compareExchange(w, at, n, n - 1) === n) return true;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      this.park('semaphore', L_STATE, 0, left);
      // Woken: under a controlled schedule, which of the woken threads retries first is a choice.
      schedulePoint('lock');
    }
  }

  release(count = 1): void {
    Atomics.add(this.w, this.at + L_STATE, count);
    rawNotify(this.w, this.at + L_STATE, count);
  }
}

/**
 * A readers-writer lock, writer-preferring: a waiting writer stops new readers, so writers are
 * not starved. State word: -1 a writer holds it, n > 0 readers hold it. Readers appear on the
 * board as holders too, so a writer waiting on them is part of the wait-for graph.
 */
export class RwLock extends Primitive {
  static create(className: string): RwLock {
    return new RwLock(Primitive.allocate(className, 'rwlock', false));
  }

  static from(handle: LockHandle): RwLock {
    return new RwLock(handle);
  }

  private constructor(handle: LockHandle) {
    super(handle);
  }

  readLock(timeoutMs = Infinity): boolean {
    const w = this.w;
    const at = this.at;
    schedulePoint('lock');
    const rt = this.rt;
    if (rt !== undefined && rt.row.depth > 0) rt.beforeAcquire(this.id, this.cls, true);
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const n = Atomics.load(w, at + L_STATE);
      // Writers waiting (L_AUX) hold new readers back.
      if (n >= 0 && Atomics.load(w, at + L_AUX) === 0) {
        if (Atomics.compareExchange(w, at + L_STATE, n, n + 1) === n) break;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) return false;
      this.park('lock-shared', L_STATE, n, Math.min(left, 50));
      // Woken: under a controlled schedule, which of the woken threads retries first is a choice.
      schedulePoint('lock');
    }
    if (rt !== undefined) rt.acquired(this.id, this.everySite);
    return true;
  }

  readUnlock(): void {
    if (this.rt !== undefined) this.rt.released(this.id);
    if (Atomics.sub(this.w, this.at + L_STATE, 1) === 1) rawNotify(this.w, this.at + L_STATE);
  }

  writeLock(timeoutMs = Infinity): boolean {
    const w = this.w;
    const at = this.at;
    const rt = this.rt;
    if (Atomics.load(w, at + L_OWNER) === ME) {
      rt?.beforeAcquire(this.id, this.cls, false);
      throw new LockError(`RwLock ${this.handle.className} is already write-held by this thread`);
    }
    schedulePoint('lock');
    if (rt !== undefined && rt.row.depth > 0) rt.beforeAcquire(this.id, this.cls, false);
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    Atomics.add(w, at + L_AUX, 1);
    try {
      for (;;) {
        if (Atomics.compareExchange(w, at + L_STATE, 0, -1) === 0) break;
        const n = Atomics.load(w, at + L_STATE);
        if (n === 0) continue;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        this.park('lock', L_STATE, n, Math.min(left, 50));
        // Woken: under a controlled schedule, which of the woken threads retries first is a choice.
        schedulePoint('lock');
      }
    } finally {
      Atomics.sub(w, at + L_AUX, 1);
    }
    Atomics.store(w, at + L_OWNER, ME);
    if (rt !== undefined) rt.acquired(this.id, this.everySite);
    return true;
  }

  writeUnlock(): void {
    if (this.rt !== undefined) this.rt.released(this.id);
    Atomics.store(this.w, this.at + L_OWNER, 0);
    Atomics.store(this.w, this.at + L_STATE, 0);
    rawNotify(this.w, this.at + L_STATE);
  }
}

/** Names the calling thread on the status board (a logger's listener, a flusher). */
export function registerThread(name: string): void {
  currentRuntime()?.rename(name);
}

/** Sets the calling thread's progress counter: the watchdog reads a moving counter as progress. */
export function reportProgress(count: number): void {
  currentRuntime()?.row.progress(count);
}

/** Whether this thread runs under the logjam harness with an instrumented sync runtime. */
export function underHarness(): boolean {
  return currentRuntime() !== undefined;
}
