/**
 * The status board: one row of 32-bit words per thread of a run, in shared memory.
 *
 * Each thread writes only its own row, with `Atomics.store`, so the watchdog can read every
 * row at any moment, including when every other thread is parked or wedged: reading the board
 * never needs the cooperation of the threads it describes.
 *
 * A row holds the thread's state and current operation, its heartbeat and progress counters,
 * the stack of locks it holds (with the acquire site where one was captured) and what it waits
 * on: an instrumented lock, condition or semaphore, or a raw `Atomics.wait` address.
 */

export const THREAD_STATES = ['free', 'starting', 'running', 'waiting', 'closing', 'done', 'dead'] as const;
export type ThreadState = (typeof THREAD_STATES)[number];

export const OPS = [
  'idle',
  'load-adapter',
  'create-logger',
  'wait-start',
  'log',
  'close',
  'await-producers',
  'exit',
  'reconcile',
  'drain',
  'flush',
  'reconfigure',
] as const;
export type Op = (typeof OPS)[number];

export const WAIT_KINDS = ['none', 'lock', 'lock-shared', 'condition', 'semaphore', 'raw'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

const F_STATE = 0;
const F_OP = 1;
const F_HEARTBEAT = 2;
const F_PRODUCED = 3;
const F_TARGET = 4;
const F_NAME = 5;
const F_THREAD_ID = 6;
const F_PROGRESS = 7;
const F_WAIT_KIND = 8;
const F_WAIT_ID = 9;
const F_WAIT_INDEX = 10;
const F_WAIT_VALUE = 11;
const F_WAIT_SITE = 12;
const F_WAIT_SINCE = 13;
const F_WAIT_SEQ = 14;
const F_NOTIFIES = 15;
const F_NOTIFY_LEN = 16;
const F_NOTIFY_INDEX = 17;
/**
 * The held-lock word: the depth of the held stack in its low HELD_DEPTH_BITS bits, the count
 * of acquires above them. One plain store per acquire and per release publishes both: the
 * depth for the wait-for graph, the count as the thread's lock progress.
 */
const F_HELD_WORD = 18;
const HELD_DEPTH_BITS = 8;
const HELD_DEPTH_MASK = (1 << HELD_DEPTH_BITS) - 1;
/** Added to the held word by an acquire: one more acquire counted, one level deeper. */
const HELD_PUSH = (1 << HELD_DEPTH_BITS) + 1;
/** How deep a thread may nest locks: the depth must fit its bits of the held word. */
export const MAX_DEPTH = HELD_DEPTH_MASK;
export { HELD_DEPTH_MASK };
const F_HELD = 20;
export const MAX_HELD = 16;
const F_HELD_SITES = F_HELD + MAX_HELD;
/** Bytes the thread's logger reports holding in memory, plus one; 0 when it does not say. */
const F_BUFFERED = F_HELD_SITES + MAX_HELD;
const STRIDE = 64;

export const MAX_THREADS = 64;
export const MAIN_SLOT = 0;
export const WATCHDOG_SLOT = 1;
export const FIRST_PRODUCER_SLOT = 2;
/** Slots reserved for producer threads; the logger's own threads take the ones above. */
export const MAX_PRODUCERS = 16;
/** Threads the logger starts itself (a listener, a transport) take slots from the top down. */
const NEXT_DYNAMIC = MAX_THREADS * STRIDE;

export interface HeldLock {
  readonly lock: number;
  /** String id of the acquire site, 0 when it was not captured. */
  readonly site: number;
}

export interface BoardWait {
  readonly kind: WaitKind;
  /** Lock id for instrumented waits; the buffer's byte length for raw waits. */
  readonly id: number;
  readonly index: number;
  readonly value: number;
  readonly site: number;
  /** Milliseconds since the run started when the wait began. */
  readonly since: number;
  readonly seq: number;
}

export interface BoardRow {
  readonly state: ThreadState;
  readonly op: Op;
  readonly heartbeat: number;
  readonly produced: number;
  readonly target: number;
  readonly name: number;
  readonly threadId: number;
  readonly progress: number;
  readonly lockOps: number;
  readonly notifies: number;
  readonly lastNotify: { readonly length: number; readonly index: number };
  readonly wait: BoardWait | undefined;
  readonly held: readonly HeldLock[];
  /** Bytes the thread's logger last reported holding in memory, unwritten; undefined when it does not say. */
  readonly buffered: number | undefined;
}

export class Board {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Int32Array;

  static create(): Board {
    const board = new Board(new SharedArrayBuffer((MAX_THREADS * STRIDE + 4) * 4));
    Atomics.store(board.#w, NEXT_DYNAMIC, MAX_THREADS - 1);
    return board;
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#w = new Int32Array(buffer);
  }

  /** A writer for one slot, to be used only by the thread that owns the slot. */
  row(slot: number): BoardWriter {
    if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_THREADS) {
      throw new RangeError(`Expected a board slot in [0, ${MAX_THREADS}), got ${slot}: this is a harness bug`);
    }
    return new BoardWriter(this.#w, slot);
  }

  /** Takes a free slot for a thread the harness did not start; undefined when the board is full. */
  claimDynamicSlot(): number | undefined {
    const slot = Atomics.sub(this.#w, NEXT_DYNAMIC, 1);
    return slot >= FIRST_PRODUCER_SLOT + MAX_PRODUCERS ? slot : undefined;
  }

  read(slot: number): BoardRow {
    const at = slot * STRIDE;
    const w = this.#w;
    const heldWord = Atomics.load(w, at + F_HELD_WORD);
    const depth = Math.min(MAX_HELD, heldWord & HELD_DEPTH_MASK);
    const held: HeldLock[] = [];
    for (let i = 0; i < depth; i++) held.push({ lock: Atomics.load(w, at + F_HELD + i), site: Atomics.load(w, at + F_HELD_SITES + i) });
    const kind = WAIT_KINDS[Atomics.load(w, at + F_WAIT_KIND)] ?? 'none';
    return {
      state: THREAD_STATES[Atomics.load(w, at + F_STATE)] ?? 'free',
      op: OPS[Atomics.load(w, at + F_OP)] ?? 'idle',
      heartbeat: Atomics.load(w, at + F_HEARTBEAT),
      produced: Atomics.load(w, at + F_PRODUCED),
      target: Atomics.load(w, at + F_TARGET),
      name: Atomics.load(w, at + F_NAME),
      threadId: Atomics.load(w, at + F_THREAD_ID),
      progress: Atomics.load(w, at + F_PROGRESS),
      lockOps: heldWord >>> HELD_DEPTH_BITS,
      notifies: Atomics.load(w, at + F_NOTIFIES),
      lastNotify: { length: Atomics.load(w, at + F_NOTIFY_LEN), index: Atomics.load(w, at + F_NOTIFY_INDEX) },
      wait:
        kind === 'none'
          ? undefined
          : {
              kind,
              id: Atomics.load(w, at + F_WAIT_ID),
              index: Atomics.load(w, at + F_WAIT_INDEX),
              value: Atomics.load(w, at + F_WAIT_VALUE),
              site: Atomics.load(w, at + F_WAIT_SITE),
              since: Atomics.load(w, at + F_WAIT_SINCE),
              seq: Atomics.load(w, at + F_WAIT_SEQ),
            },
      held,
      buffered: Atomics.load(w, at + F_BUFFERED) > 0 ? Atomics.load(w, at + F_BUFFERED) - 1 : undefined,
    };
  }

  /** The state word alone: the watchdog's cheap first look at a slot. */
  stateOf(slot: number): ThreadState {
    return THREAD_STATES[Atomics.load(this.#w, slot * STRIDE + F_STATE)] ?? 'free';
  }

  /**
   * Everything that moves when a thread makes progress, as one number per look: heartbeat
   * aside, which the watchdog tracks on its own.
   */
  progressOf(slot: number): number {
    const w = this.#w;
    const at = slot * STRIDE;
    return (
      Atomics.load(w, at + F_STATE) * 7 +
      Atomics.load(w, at + F_OP) * 131 +
      Atomics.load(w, at + F_PRODUCED) +
      Atomics.load(w, at + F_PROGRESS) +
      (Atomics.load(w, at + F_HELD_WORD) >>> HELD_DEPTH_BITS) +
      Atomics.load(w, at + F_NOTIFIES) +
      Atomics.load(w, at + F_WAIT_SEQ)
    );
  }

  heartbeatOf(slot: number): number {
    return Atomics.load(this.#w, slot * STRIDE + F_HEARTBEAT);
  }

  /** Slots whose held-lock stack contains `lock`: its holders, for the wait-for graph. */
  holders(lock: number): number[] {
    const w = this.#w;
    const found: number[] = [];
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      const at = slot * STRIDE;
      const depth = Math.min(MAX_HELD, Atomics.load(w, at + F_HELD_WORD) & HELD_DEPTH_MASK);
      for (let i = 0; i < depth; i++) {
        if (Atomics.load(w, at + F_HELD + i) === lock) {
          found.push(slot);
          break;
        }
      }
    }
    return found;
  }

  /** The lock a slot is blocked on, or 0 when it is not waiting on an instrumented lock. */
  waitingOnLock(slot: number): number {
    const at = slot * STRIDE;
    const kind = WAIT_KINDS[Atomics.load(this.#w, at + F_WAIT_KIND)];
    return kind === 'lock' || kind === 'lock-shared' ? Atomics.load(this.#w, at + F_WAIT_ID) : 0;
  }
}

export class BoardWriter {
  readonly slot: number;
  readonly #w: Int32Array;
  readonly #at: number;

  constructor(words: Int32Array, slot: number) {
    this.slot = slot;
    this.#w = words;
    this.#at = slot * STRIDE;
  }

  /** Called on every `set`, for the owning thread's own bookkeeping (the main thread's stall meter). */
  onSet: ((op: Op) => void) | undefined;

  set(state: ThreadState, op: Op): void {
    this.onSet?.(op);
    Atomics.store(this.#w, this.#at + F_OP, OPS.indexOf(op));
    Atomics.store(this.#w, this.#at + F_STATE, THREAD_STATES.indexOf(state));
  }

  identify(name: number, threadId: number): void {
    Atomics.store(this.#w, this.#at + F_NAME, name);
    Atomics.store(this.#w, this.#at + F_THREAD_ID, threadId);
  }

  beat(): void {
    Atomics.add(this.#w, this.#at + F_HEARTBEAT, 1);
  }

  target(records: number): void {
    Atomics.store(this.#w, this.#at + F_TARGET, records);
  }

  /** Called once per record on the hot path: one store, no read-modify-write. */
  produced(records: number): void {
    Atomics.store(this.#w, this.#at + F_PRODUCED, records);
  }

  /** What the thread's logger says it holds in memory, unwritten, in bytes (clamped to 2 GiB). */
  buffered(bytes: number): void {
    Atomics.store(this.#w, this.#at + F_BUFFERED, Math.min(0x7ffffffe, Math.max(0, Math.round(bytes))) + 1);
  }

  /** A thread's own progress counter (records a listener handled, batches drained...). */
  progress(count: number): void {
    Atomics.store(this.#w, this.#at + F_PROGRESS, count);
  }

  waitStart(kind: WaitKind, id: number, index: number, value: number, site: number, since: number): void {
    const at = this.#at;
    Atomics.store(this.#w, at + F_WAIT_ID, id);
    Atomics.store(this.#w, at + F_WAIT_INDEX, index);
    Atomics.store(this.#w, at + F_WAIT_VALUE, value);
    Atomics.store(this.#w, at + F_WAIT_SITE, site);
    Atomics.store(this.#w, at + F_WAIT_SINCE, since);
    Atomics.add(this.#w, at + F_WAIT_SEQ, 1);
    // Published last: a reader that sees the kind sees the rest of the wait.
    Atomics.store(this.#w, at + F_WAIT_KIND, WAIT_KINDS.indexOf(kind));
  }

  waitEnd(): void {
    Atomics.store(this.#w, this.#at + F_WAIT_KIND, 0);
  }

  notified(length: number, index: number): void {
    Atomics.store(this.#w, this.#at + F_NOTIFY_LEN, length);
    Atomics.store(this.#w, this.#at + F_NOTIFY_INDEX, index);
    Atomics.add(this.#w, this.#at + F_NOTIFIES, 1);
  }

  /** The held word: acquires so far above the depth bits. Moves with every acquire and release. */
  get heldWord(): number {
    return this.#w[this.#at + F_HELD_WORD] as number;
  }

  /** How many locks this thread holds: read from its own row, which only it writes. */
  get depth(): number {
    return (this.#w[this.#at + F_HELD_WORD] as number) & HELD_DEPTH_MASK;
  }

  /**
   * Whether this thread holds exactly `locks[1..]`, `locks[0]` deep: one read per level, for
   * the owner's check that a nested acquire repeats one already checked.
   */
  holdsExactly(locks: Int32Array): boolean {
    const w = this.#w;
    const at = this.#at;
    const depth = (w[at + F_HELD_WORD] as number) & HELD_DEPTH_MASK;
    if (depth !== locks[0] || depth > MAX_HELD) return false;
    for (let i = 0; i < depth; i++) if (w[at + F_HELD + i] !== locks[i + 1]) return false;
    return true;
  }

  /** The lock at `index` of the held stack (0 is the first taken); 0 past MAX_HELD. */
  heldAt(index: number): number {
    return index < MAX_HELD ? (this.#w[this.#at + F_HELD + index] as number) : 0;
  }

  /**
   * Pushes a held lock. Plain stores, on the hot path of every acquire, and the row is the
   * only record of what this thread holds: the thread's own checks read it back. The owning
   * thread publishes them to other threads with its next atomic write (the lock's own
   * compare-exchange, the wait it publishes before it blocks), which is all the wait-for graph
   * needs. The held word is written last: a reader that sees the depth sees the entry. Locks
   * past MAX_HELD deep are counted but not listed.
   */
  push(lock: number, site: number): void {
    const w = this.#w;
    const at = this.#at;
    const word = w[at + F_HELD_WORD] as number;
    // The owner checks the depth before it takes a lock (SyncRuntime.beforeAcquire): below MAX_DEPTH here.
    const depth = word & HELD_DEPTH_MASK;
    if (depth < MAX_HELD) {
      w[at + F_HELD_SITES + depth] = site;
      w[at + F_HELD + depth] = lock;
    }
    w[at + F_HELD_WORD] = (word + HELD_PUSH) | 0;
  }

  /**
   * Removes a held lock wherever it sits: locks need not be released in reverse order.
   * Answers whether it was the top of the stack (the common case: one store).
   */
  remove(lock: number): boolean {
    const w = this.#w;
    const at = this.#at;
    const word = w[at + F_HELD_WORD] as number;
    const depth = word & HELD_DEPTH_MASK;
    if (depth === 0) return true;
    const listed = Math.min(depth, MAX_HELD);
    if (w[at + F_HELD + listed - 1] === lock) {
      w[at + F_HELD_WORD] = word - 1;
      return true;
    }
    let i = listed - 1;
    while (i >= 0 && w[at + F_HELD + i] !== lock) i--;
    if (i >= 0) {
      for (let j = i; j < listed - 1; j++) {
        w[at + F_HELD_SITES + j] = w[at + F_HELD_SITES + j + 1] as number;
        w[at + F_HELD + j] = w[at + F_HELD + j + 1] as number;
      }
    }
    w[at + F_HELD_WORD] = word - 1;
    return false;
  }

  /** The site of the wait in progress, once captured (after the wait began). */
  waitSite(site: number): void {
    Atomics.store(this.#w, this.#at + F_WAIT_SITE, site);
  }
}
