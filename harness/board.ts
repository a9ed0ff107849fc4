/**
 * The status board: one row of 32-bit words per thread of a run, in shared memory.
 *
 * Each thread writes only its own row, with `Atomics.store`, so the watchdog can read every
 * row at any moment, including when every other thread is parked or wedged: reading the board
 * never needs the cooperation of the threads it describes.
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
] as const;
export type Op = (typeof OPS)[number];

const F_STATE = 0;
const F_OP = 1;
const F_HEARTBEAT = 2;
const F_PRODUCED = 3;
const F_TARGET = 4;
const STRIDE = 8;

export const MAX_THREADS = 64;
export const MAIN_SLOT = 0;
export const WATCHDOG_SLOT = 1;
export const FIRST_PRODUCER_SLOT = 2;

export interface BoardRow {
  readonly state: ThreadState;
  readonly op: Op;
  readonly heartbeat: number;
  readonly produced: number;
  readonly target: number;
}

export class Board {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Int32Array;

  static create(): Board {
    return new Board(new SharedArrayBuffer(MAX_THREADS * STRIDE * 4));
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
    return new BoardWriter(this.#w, slot * STRIDE);
  }

  read(slot: number): BoardRow {
    const at = slot * STRIDE;
    const w = this.#w;
    return {
      state: THREAD_STATES[Atomics.load(w, at + F_STATE)] ?? 'free',
      op: OPS[Atomics.load(w, at + F_OP)] ?? 'idle',
      heartbeat: Atomics.load(w, at + F_HEARTBEAT),
      produced: Atomics.load(w, at + F_PRODUCED),
      target: Atomics.load(w, at + F_TARGET),
    };
  }
}

export class BoardWriter {
  readonly #w: Int32Array;
  readonly #at: number;

  constructor(words: Int32Array, at: number) {
    this.#w = words;
    this.#at = at;
  }

  set(state: ThreadState, op: Op): void {
    Atomics.store(this.#w, this.#at + F_OP, OPS.indexOf(op));
    Atomics.store(this.#w, this.#at + F_STATE, THREAD_STATES.indexOf(state));
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
}
