/**
 * The per-thread side of instrumented synchronisation: what a thread of a run publishes about
 * its locks so the watchdog (and the thread about to block) can see deadlocks form.
 *
 * Under the harness, the child process puts the shared tables in worker_threads' environment
 * data, which every worker spawned afterwards inherits, transitively: the producer threads and
 * any thread a logger starts itself find the runtime without being told. Outside the harness
 * there is no environment entry, `currentRuntime()` answers undefined, and the primitives in
 * sync.ts take their plain paths.
 *
 * What a thread publishes, modelled on lockdep:
 * - its held-lock stack on its board row, with the acquire site where one was captured;
 * - what it is about to wait on, before it blocks, after which it walks the wait-for graph
 *   itself: the thread that closes a cycle sees it, so the first deadlock ever formed is
 *   reported as it forms;
 * - each lock-order edge (class held → class taken) the first time this thread takes it, with
 *   the stack and the locks held before it (the guards), into a shared edge table the watchdog
 *   searches for cycles.
 *
 * Acquire sites cost a stack capture (5 to 20 µs), so they are taken for a new edge, a wait
 * that lasts SITE_GRACE_MS and a recursion; for a plain acquire only with
 * LOGJAM_LOCK_SITES=all (the lock's SITES flag).
 */

import { getEnvironmentData, setEnvironmentData, threadId } from 'node:worker_threads';
import { rawNotify, rawWait } from './atomics.js';
import { Board, HELD_DEPTH_MASK, MAX_DEPTH, MAX_HELD, type BoardWriter, type WaitKind } from './board.js';
import { EventChannel, type ChannelHandle } from './channel.js';
import type { Finding } from '../contract/result.js';
import { attachSchedule, type ScheduleShared } from './schedule.js';
import { StringTable } from './strings.js';

export const SYNC_ENV_KEY = 'logjam.sync';

export interface SyncShared {
  readonly board: SharedArrayBuffer;
  readonly locks: SharedArrayBuffer;
  readonly edges: SharedArrayBuffer;
  readonly strings: SharedArrayBuffer;
  readonly channel: ChannelHandle;
  readonly sites: 'adaptive' | 'all';
  /** The run's schedule perturbation or control, when it has one. */
  readonly schedule?: ScheduleShared;
}

// ---- lock records: LOCK_STRIDE words per lock, in one shared arena (or a lock's own buffer) ----
export const LOCK_STRIDE = 8;
export const L_STATE = 0;
export const L_OWNER = 1;
export const L_COUNT = 2;
export const L_ID = 3;
export const L_CLASS = 4;
export const L_AUX = 5;
export const L_FLAGS = 6;
export const FLAG_REENTRANT = 1;
/** Capture this lock's site at every acquire (LOGJAM_LOCK_SITES=all). */
export const FLAG_SITES = 2;
export const LOCK_KINDS = ['mutex', 'rwlock', 'condition', 'semaphore'] as const;
export type LockKind = (typeof LOCK_KINDS)[number];
export const kindFlags = (kind: LockKind): number => LOCK_KINDS.indexOf(kind) << 4;
const MAX_LOCKS = 8192;

// ---- lock-order edges: EDGE_STRIDE words each, after a header of EDGE_HEADER words ----
export const EDGE_HEADER = 8;
export const EDGE_STRIDE = 16;
export const E_FROM_CLASS = 0;
export const E_TO_CLASS = 1;
export const E_SLOT = 2;
export const E_SITE = 3;
export const E_GUARDS = 4;
export const E_GUARD0 = 5;
export const MAX_GUARDS = 4;
/** What the edge records: EDGE_KINDS' index. */
export const E_KIND = 14;
export const E_READY = 15;
/**
 * 'lock': took `to` while holding `from`. The two cross-release kinds (lockdep's crossrelease:
 * a wait for an event is a dependency like a lock's): 'wait': waited on condition `to` while
 * holding `from`; 'notify': took `to` in the run-up to a notify of condition `from` (since this
 * thread's previous notify of it), so a thread waiting on `from` while it holds `to` can keep
 * the notify from coming.
 */
export const EDGE_KINDS = ['lock', 'wait', 'notify'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];
const MAX_EDGES = 4096;

/** Creates the shared tables of one run; done once, by the child's main thread. */
export function createSyncShared(board: Board, channel: ChannelHandle, schedule?: ScheduleShared): SyncShared {
  const locks = new SharedArrayBuffer(MAX_LOCKS * LOCK_STRIDE * 4);
  Atomics.store(new Int32Array(locks), 0, 1); // lock id 0 means "no lock"
  return {
    board: board.buffer,
    locks,
    edges: new SharedArrayBuffer((EDGE_HEADER + MAX_EDGES * EDGE_STRIDE) * 4),
    strings: StringTable.create().buffer,
    channel,
    sites: process.env['LOGJAM_LOCK_SITES'] === 'all' ? 'all' : 'adaptive',
    ...(schedule !== undefined ? { schedule } : {}),
  };
}

/** Raised instead of blocking forever when a thread takes a non-reentrant lock it holds. */
export class LockError extends Error {
  override name = 'LockError';
}

const SITE_FRAMES = 8;
/** A wait that lasts this long gets its stack captured and shown. */
export const SITE_GRACE_MS = 2;
/** How long the thread closing a deadlock waits for the others' wait sites before reporting. */
export const SITE_WAIT_MS = 1000;

/** `class#id`, the name a lock goes by in reports. */
export function lockName(locks: Int32Array, strings: StringTable, id: number): string {
  if (id <= 0) return '?';
  return `${strings.read(Atomics.load(locks, id * LOCK_STRIDE + L_CLASS))}#${id}`;
}

/** The caller's stack, without the frames of the synchronisation code itself. */
export function captureSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_FRAMES + 6;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  Error.stackTraceLimit = limit;
  const lines = (holder.stack ?? '').split('\n').slice(1);
  return lines
    .filter((line) => !/[/\\]harness[/\\]sync[/\\](locks|runtime|atomics)\.[jt]s/.test(line))
    .slice(0, SITE_FRAMES)
    .map((line) => line.trim())
    .join('\n');
}

export class SyncRuntime {
  readonly shared: SyncShared;
  readonly board: Board;
  readonly row: BoardWriter;
  readonly strings: StringTable;
  readonly locks: Int32Array;
  readonly edges: Int32Array;
  readonly channel: EventChannel;
  readonly allSites: boolean;
  /**
   * The last nested acquire whose checks passed: the lock, and the held stack it was taken
   * under (depth, then the locks). The checks depend on nothing else, so the same acquire under
   * the same stack is not checked again.
   */
  #checkedLock = 0;
  readonly #checkedStack = new Int32Array(MAX_HELD + 1);
  /**
   * The held word just after #checkedLock was last released from the top of the stack, -1
   * before. While the word stays that, no lock was taken since and the stack is the one the
   * check passed under: the next take of the same lock is known good from one comparison.
   */
  #checkedWord = -1;
  readonly #edgeGuards = new Map<number, number[]>();
  readonly #classNestingReported = new Set<number>();
  /** The site captured for a new edge by beforeAcquire, for the lock about to be held. */
  #pendingSite = 0;
  /** For short bounded sleeps while a deadlock report waits for the other waiters' sites. */
  readonly #pause = new Int32Array(new SharedArrayBuffer(4));
  /**
   * Cross-release history: this thread's count of acquisitions, and for each lock it ever took
   * (listed once in #taken) the count at its last take. A notify reads the locks taken since this
   * thread's previous notify of the same condition class (#notifiedAt) off them.
   */
  #takes = 0;
  /** Made once this thread has a Condition (trackConditions): until then it keeps no history. */
  #takenAt: Float64Array | undefined;
  readonly #taken: number[] = [];
  readonly #notifiedAt = new Map<number, number>();
  /** Cross-release edges this thread published: `kind:from:to`. */
  readonly #crossEdges = new Set<string>();

  constructor(shared: SyncShared, slot: number, name: string) {
    this.shared = shared;
    this.board = new Board(shared.board);
    this.row = this.board.row(slot);
    this.strings = new StringTable(shared.strings);
    this.locks = new Int32Array(shared.locks);
    this.edges = new Int32Array(shared.edges);
    this.channel = new EventChannel(shared.channel);
    this.allSites = shared.sites === 'all';
    this.row.identify(this.strings.intern(name), threadId);
  }

  get slot(): number {
    return this.row.slot;
  }

  /** How many instrumented locks this thread holds, from its board row. */
  get holding(): number {
    return this.row.depth;
  }

  rename(name: string): void {
    this.row.identify(this.strings.intern(name), threadId);
  }

  report(finding: Finding): void {
    this.channel.send({ type: 'finding', finding });
  }

  elapsedMs(): number {
    return this.channel.elapsedMs();
  }

  /** A new lock record in the arena; its words start at the returned index. */
  allocate(className: string, kind: LockKind, reentrant: boolean): number {
    const id = Atomics.add(this.locks, 0, 1);
    if (id >= MAX_LOCKS) return -1;
    const at = id * LOCK_STRIDE;
    Atomics.store(this.locks, at + L_ID, id);
    Atomics.store(this.locks, at + L_CLASS, this.strings.intern(className));
    Atomics.store(this.locks, at + L_FLAGS, kindFlags(kind) | (reentrant ? FLAG_REENTRANT : 0) | (this.allSites ? FLAG_SITES : 0));
    return at;
  }

  lockName(id: number): string {
    return lockName(this.locks, this.strings, id);
  }

  /**
   * Checks made before a thread tries to take lock `id` of class `cls` while it holds others:
   * taking a non-reentrant lock it already holds (reported, then thrown: the alternative is
   * waiting forever on itself), and the lock-order edges from every lock it holds.
   *
   * The held stack is read from this thread's board row, the one record of it. The same lock
   * taken again under the same stack (a loop around a nested acquire) can find nothing new:
   * the same edges, the same guards. That case returns after two comparisons.
   */
  beforeAcquire(id: number, cls: number, reentrant: boolean): void {
    if (id === this.#checkedLock && (this.row.heldWord === this.#checkedWord || this.row.holdsExactly(this.#checkedStack))) return;
    const row = this.row;
    const depth = row.depth;
    if (depth === 0) return;
    if (depth >= MAX_DEPTH - 1) throw new LockError(`This thread already holds ${depth} instrumented locks: more than logjam can follow; this is a lock leak`);
    const listed = Math.min(depth, MAX_HELD);
    const held: number[] = [];
    for (let i = 0; i < listed; i++) held.push(row.heldAt(i));
    const classes = held.map((h) => this.locks[h * LOCK_STRIDE + L_CLASS] as number);
    for (let i = 0; i < listed; i++) {
      if (held[i] === id && !reentrant) this.#recursive(id, cls);
      if (classes[i] === cls && held[i] !== id) this.#classNesting(id, cls, held[i] as number);
    }
    for (let i = 0; i < listed; i++) {
      if (held[i] === id) continue;
      const key = (classes[i] as number) * 0x100000 + cls;
      const known = this.#edgeGuards.get(key);
      if (known === undefined) {
        const guards = held.slice(0, i);
        this.#edgeGuards.set(key, guards);
        this.#pendingSite = this.#publishEdge(classes[i] as number, cls, guards);
      } else if (known.length > 0) {
        // The edge again: its guards are only those held every time. Fewer guards, new evidence.
        const common = known.filter((g) => {
          const at = held.indexOf(g);
          return at >= 0 && at < i;
        });
        if (common.length < known.length) {
          this.#edgeGuards.set(key, common);
          this.#pendingSite = this.#publishEdge(classes[i] as number, cls, common);
        }
      }
    }
    const checked = this.#checkedStack;
    this.#checkedLock = id;
    this.#checkedWord = -1;
    checked[0] = depth;
    for (let i = 0; i < listed; i++) checked[i + 1] = held[i] as number;
  }

  /**
   * On the hot path of every instrumented acquire: one push on the board row, no stack
   * capture unless a new edge was just published or `everySite` (LOGJAM_LOCK_SITES=all).
   */
  acquired(id: number, everySite: boolean): void {
    let site = this.#pendingSite;
    if (site !== 0) this.#pendingSite = 0;
    else if (everySite) site = this.strings.intern(captureSite());
    this.row.push(id, site);
    const taken = this.#takenAt;
    if (taken !== undefined) {
      if (taken[id] === 0) this.#taken.push(id);
      taken[id] = ++this.#takes;
    }
  }

  /**
   * This thread has a Condition, so it may wait on one or notify one: from now on it keeps the
   * cross-release history of the locks it takes. A thread that never touches a condition pays
   * one branch per acquire for it; one that does pays about a nanosecond.
   */
  trackConditions(): void {
    this.#takenAt ??= new Float64Array(MAX_LOCKS);
  }

  /**
   * Before a wait on condition class `cls` whose own mutex (of class `mutexCls`) was released:
   * a 'wait' edge from each lock this thread still holds. Whoever must notify the condition and
   * needs one of them first cannot while this thread waits.
   */
  beforeConditionWait(cls: number, mutexCls: number): void {
    const row = this.row;
    const listed = Math.min(row.depth, MAX_HELD);
    for (let i = 0; i < listed; i++) {
      const held = this.locks[row.heldAt(i) * LOCK_STRIDE + L_CLASS] as number;
      if (held !== mutexCls) this.#crossEdge('wait', held, cls);
    }
  }

  /**
   * At a notify of condition class `cls`: a 'notify' edge to each lock class this thread took
   * since its previous notify of `cls` (for the first, since it first had a Condition). The
   * condition's own mutex among them closes no cycle by itself: its waiters release it while
   * they wait (no 'wait' edge from it), but a third thread holding it can.
   */
  beforeNotify(cls: number): void {
    const since = this.#notifiedAt.get(cls);
    if (since === this.#takes) return;
    this.#notifiedAt.set(cls, this.#takes);
    const taken = this.#takenAt;
    if (taken === undefined) return;
    for (const id of this.#taken) {
      if ((taken[id] as number) > (since ?? 0)) this.#crossEdge('notify', cls, this.locks[id * LOCK_STRIDE + L_CLASS] as number);
    }
  }

  /**
   * About to block on lock `id`: for each condition this thread notified before, the lock is on
   * its way to the next notify, published now rather than at that notify, which may never come
   * if the lock's holder is a waiter of the condition (the cycle this edge closes).
   */
  #notifyBlockedOn(id: number): void {
    if (this.#notifiedAt.size === 0) return;
    const lockCls = this.locks[id * LOCK_STRIDE + L_CLASS] as number;
    for (const cls of this.#notifiedAt.keys()) this.#crossEdge('notify', cls, lockCls);
  }

  #crossEdge(kind: 'wait' | 'notify', from: number, to: number): void {
    const key = `${kind}:${from}:${to}`;
    if (this.#crossEdges.has(key)) return;
    this.#crossEdges.add(key);
    this.#publishEdge(from, to, [], kind);
  }

  /**
   * Whether a lock just taken at once must still pass the nested checks: it is nested, and it
   * is not the last checked lock taken again with nothing taken since it was released.
   */
  mustCheck(id: number): boolean {
    const word = this.row.heldWord;
    return (word & HELD_DEPTH_MASK) !== 0 && (id !== this.#checkedLock || word !== this.#checkedWord);
  }

  released(id: number): void {
    const row = this.row;
    // Out of order, the stack below the top changed: the last check no longer stands.
    if (!row.remove(id)) this.#checkedLock = 0;
    else if (id === this.#checkedLock) this.#checkedWord = row.heldWord;
  }

  /**
   * Publishes that this thread is about to block on `id`, then walks the wait-for graph from
   * it. Publishing first is what makes the check sound: of the threads that close a cycle, the
   * last to publish its wait sees every other one's. The stack at the wait is captured only
   * once the wait has lasted (`waitedLong`): most waits are short, and a capture costs
   * microseconds. The thread that closes a cycle gives the others that long to publish theirs
   * before it reports: it is about to wait forever anyway.
   */
  beforeBlock(kind: WaitKind, id: number, offset = 0, value = 0): void {
    // The word and value waited on: once the word moves, the wait is over even before this
    // thread runs again, which a controlled run's coordinator must know.
    this.row.waitStart(kind, id, offset, value, 0, this.elapsedMs());
    if (kind !== 'lock' && kind !== 'lock-shared') return;
    this.#notifyBlockedOn(id);
    const cycle = findWaitCycle(this.board, this.slot);
    if (cycle === undefined) return;
    const seqs = waitSeqs(this.board, cycle);
    this.waitedLong();
    // Each of them captures its site SITE_GRACE_MS into its wait; on a loaded machine, later.
    const until = performance.now() + SITE_WAIT_MS;
    do rawWait(this.#pause, 0, 0, 1);
    while (performance.now() < until && cycle.some((step) => this.board.read(step.slot).wait?.site === 0));
    // A cycle read off the board row by row can be torn: a thread seen holding a lock it has
    // since released, then seen waiting on its next one. A deadlock is still there, every
    // thread in the same wait; a torn read is gone. The watchdog keeps looking either way.
    if (!cycleHolds(this.board, cycle, seqs)) return;
    this.report(deadlockFinding(this, cycle, this.elapsedMs()));
  }

  /** The wait has lasted SITE_GRACE_MS: capture and show where it is. */
  waitedLong(): void {
    this.row.waitSite(this.strings.intern(captureSite()));
  }

  afterBlock(): void {
    this.row.waitEnd();
  }

  #recursive(id: number, cls: number): never {
    const site = captureSite();
    const name = this.strings.read(cls);
    const heldSites = this.board.read(this.slot).held.map((h) => ({ lock: this.lockName(h.lock), site: this.strings.read(h.site) }));
    const message = `${threadLabel(this, this.slot)} tried to take lock ${name} (#${id}), which it already holds and which is not reentrant`;
    this.report({
      kind: 'recursive-lock',
      severity: 'error',
      message,
      evidence: {
        signature: `recursive:${name}`,
        lockClass: name,
        lock: id,
        sameInstance: true,
        thread: threadLabel(this, this.slot),
        site,
        held: heldSites,
      },
    });
    throw new LockError(`${message}. Taking it would wait forever on this thread itself.`);
  }

  #classNesting(id: number, cls: number, other: number): void {
    if (this.#classNestingReported.has(cls)) return;
    this.#classNestingReported.add(cls);
    const name = this.strings.read(cls);
    this.report({
      kind: 'recursive-lock',
      severity: 'info',
      message: `${threadLabel(this, this.slot)} took two locks of class ${name} (#${other}, then #${id}) at once: possible recursive locking if the two can ever be the same lock`,
      evidence: { signature: `class-nesting:${name}`, lockClass: name, locks: [other, id], sameInstance: false, site: captureSite() },
    });
  }

  /** Publishes an edge with the stack taking it; answers the site's string id. */
  #publishEdge(fromClass: number, toClass: number, guards: readonly number[], kind: EdgeKind = 'lock'): number {
    const site = this.strings.intern(captureSite());
    const n = Atomics.add(this.edges, 0, 1);
    if (n >= MAX_EDGES) return site;
    const at = EDGE_HEADER + n * EDGE_STRIDE;
    const e = this.edges;
    Atomics.store(e, at + E_FROM_CLASS, fromClass);
    Atomics.store(e, at + E_TO_CLASS, toClass);
    Atomics.store(e, at + E_SLOT, this.slot);
    Atomics.store(e, at + E_SITE, site);
    const g = Math.min(MAX_GUARDS, guards.length);
    for (let i = 0; i < g; i++) Atomics.store(e, at + E_GUARD0 + i, guards[i] as number);
    Atomics.store(e, at + E_GUARDS, g);
    Atomics.store(e, at + E_KIND, EDGE_KINDS.indexOf(kind));
    Atomics.store(e, at + E_READY, 1);
    return site;
  }

  /** Raw `Atomics.wait` in this thread, shown on the board with the JS stack at the wait. */
  interposeRawWaits(): void {
    const row = this.row;
    const strings = this.strings;
    const elapsed = (): number => this.elapsedMs();
    const waitProxy = (typed: Int32Array | BigInt64Array, index: number, value: number | bigint, timeout?: number): 'ok' | 'not-equal' | 'timed-out' => {
      // Not going to block: no stack capture, nothing to show.
      if ((Atomics.load as (t: Int32Array | BigInt64Array, i: number) => number | bigint)(typed, index) !== value) return 'not-equal';
      const element = index + typed.byteOffset / typed.BYTES_PER_ELEMENT;
      row.waitStart('raw', typed.buffer.byteLength, element, Number(value), strings.intern(captureSite()), elapsed());
      try {
        return rawWait(typed as Int32Array, index, value as number, timeout);
      } finally {
        row.waitEnd();
      }
    };
    const notifyProxy = (typed: Int32Array | BigInt64Array, index: number, count?: number): number => {
      row.notified(typed.buffer.byteLength, index + typed.byteOffset / typed.BYTES_PER_ELEMENT);
      return rawNotify(typed as Int32Array, index, count);
    };
    Object.defineProperty(Atomics, 'wait', { value: waitProxy, writable: true, configurable: true });
    Object.defineProperty(Atomics, 'notify', { value: notifyProxy, writable: true, configurable: true });
  }
}

/** A thread's display name from its board row. */
export function threadLabel(rt: { board: Board; strings: StringTable }, slot: number): string {
  const row = rt.board.read(slot);
  return rt.strings.read(row.name) || `thread-${row.threadId}`;
}

export interface WaitCycleStep {
  readonly slot: number;
  /** The lock this thread waits on; the next step's thread holds it. */
  readonly waitsOn: number;
}

/**
 * Follows waits-on → held-by from `start` and answers the cycle through `start`, if there is
 * one. Shared locks can have several holders: a depth-first search over them.
 */
export function findWaitCycle(board: Board, start: number): WaitCycleStep[] | undefined {
  const path: WaitCycleStep[] = [];
  const onPath = new Set<number>();
  const visit = (slot: number): boolean => {
    const lock = board.waitingOnLock(slot);
    if (lock === 0) return false;
    path.push({ slot, waitsOn: lock });
    onPath.add(slot);
    for (const holder of board.holders(lock)) {
      if (holder === slot) continue;
      if (holder === start) return true;
      if (!onPath.has(holder) && visit(holder)) return true;
    }
    path.pop();
    onPath.delete(slot);
    return false;
  };
  return visit(start) ? path : undefined;
}

/** Each step's wait sequence number: it moves whenever that thread starts another wait. */
export function waitSeqs(board: Board, cycle: readonly WaitCycleStep[]): number[] {
  return cycle.map((step) => board.read(step.slot).wait?.seq ?? -1);
}

/**
 * Whether `cycle` is still there, read afresh: every thread still in the very wait it was in
 * when the cycle was found (same sequence number, same lock), and each lock still held by the
 * next thread of the cycle.
 */
export function cycleHolds(board: Board, cycle: readonly WaitCycleStep[], seqs: readonly number[]): boolean {
  return cycle.every((step, i) => {
    const wait = board.read(step.slot).wait;
    if (wait === undefined || (wait.kind !== 'lock' && wait.kind !== 'lock-shared') || wait.id !== step.waitsOn || wait.seq !== seqs[i]) return false;
    const next = cycle[(i + 1) % cycle.length] as WaitCycleStep;
    return board.holders(step.waitsOn).includes(next.slot);
  });
}

/** The deadlock finding for a wait-for cycle, lockdep-style, built from the board. */
export function deadlockFinding(
  rt: { board: Board; strings: StringTable; lockName(id: number): string },
  cycle: readonly WaitCycleStep[],
  elapsedMs: number,
): Finding {
  const threads = cycle.map((step) => {
    const row = rt.board.read(step.slot);
    return {
      thread: threadLabel(rt, step.slot),
      holds: row.held.map((h) => ({
        lock: rt.lockName(h.lock),
        site: rt.strings.read(h.site) || 'not captured: taken uncontended and not nested (its caller is among the frames of the wait site; LOGJAM_LOCK_SITES=all captures every acquire)',
      })),
      waitsFor: rt.lockName(step.waitsOn),
      waitSite: rt.strings.read(row.wait?.site ?? 0),
      waitingSinceMs: row.wait?.since ?? elapsedMs,
    };
  });
  const classes = cycle.map((s) => rt.lockName(s.waitsOn).replace(/#\d+$/, ''));
  const signature = `deadlock:${[...classes].sort().join('|')}`;
  const chain = threads.map((t) => `${t.thread} holds ${t.holds.map((h) => h.lock).join(', ')} and waits for ${t.waitsFor}`).join('; ');
  return {
    kind: 'deadlock',
    severity: 'error',
    message: `Deadlock: ${chain}`,
    evidence: {
      signature,
      detectedAtMs: elapsedMs,
      formedAtMs: Math.max(...threads.map((t) => t.waitingSinceMs)),
      threads,
      scenario: interleavingTable(
        threads.map((t) => t.thread),
        threads.map((t, i) => {
          const held = t.holds.find((h) => h.lock === threads[(i + threads.length - 1) % threads.length]?.waitsFor) ?? t.holds[t.holds.length - 1];
          return { first: held?.lock ?? '?', then: t.waitsFor };
        }),
      ),
    },
  };
}

/**
 * lockdep's "possible unsafe locking scenario": one column per thread, each takes its first
 * lock, then each tries its second, and every thread waits on the next.
 */
export function interleavingTable(names: readonly string[], steps: readonly { first: string; then: string; kind?: EdgeKind }[]): string[] {
  // A 'wait' hop holds its lock and waits on the condition; a 'notify' hop holds nothing yet and
  // needs the lock before it can notify the condition (`first`).
  const firstText = (s: { first: string; kind?: EdgeKind }): string => (s.kind === 'notify' ? '' : `lock(${s.first});`);
  const thenText = (s: { first: string; then: string; kind?: EdgeKind }): string =>
    s.kind === 'wait' ? `wait(${s.then});` : s.kind === 'notify' ? `lock(${s.then});  /* before notify(${s.first}) */` : `lock(${s.then});`;
  const width = Math.max(16, ...names.map((n) => n.length + 2), ...steps.map((s) => Math.max(firstText(s).length, thenText(s).length) + 1));
  const cell = (col: number, text: string): string => `${' '.repeat(col * width)}${text}`.trimEnd();
  const lines = [names.map((n) => n.padEnd(width)).join('').trimEnd(), names.map((n) => '-'.repeat(n.length).padEnd(width)).join('').trimEnd()];
  steps.forEach((s, col) => {
    if (firstText(s) !== '') lines.push(cell(col, firstText(s)));
  });
  steps.forEach((s, col) => lines.push(cell(col, thenText(s))));
  lines.push('', ' *** DEADLOCK ***');
  return lines;
}

// ---- this thread's runtime ----

let runtime: SyncRuntime | undefined;
let looked = false;

/** This thread's runtime under the harness, created on first use; undefined outside it. */
export function currentRuntime(): SyncRuntime | undefined {
  if (looked) return runtime;
  looked = true;
  const shared = getEnvironmentData(SYNC_ENV_KEY) as SyncShared | undefined;
  if (shared === undefined) return undefined;
  const board = new Board(shared.board);
  const slot = board.claimDynamicSlot();
  if (slot === undefined) return undefined;
  runtime = new SyncRuntime(shared, slot, `thread-${threadId}`);
  runtime.row.set('running', 'idle');
  runtime.interposeRawWaits();
  attachSchedule(shared.schedule, slot);
  return runtime;
}

/**
 * Attaches a harness thread (the child's main thread, a producer) to its fixed board slot, and
 * makes the tables visible to every worker this thread starts from now on.
 */
export function attachRuntime(shared: SyncShared, slot: number, name: string): SyncRuntime {
  setEnvironmentData(SYNC_ENV_KEY, shared);
  runtime = new SyncRuntime(shared, slot, name);
  looked = true;
  runtime.interposeRawWaits();
  attachSchedule(shared.schedule, slot);
  return runtime;
}

