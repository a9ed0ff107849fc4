/**
 * What a thread's log calls looked like beyond their latency histogram: the slowest call (which
 * record, how long), calls that blocked past a bound, and errors thrown out of the log call.
 */

export interface CallSummary {
  /** The slowest call: its record's sequence number and its duration. */
  readonly slowest: { readonly seq: number; readonly ms: number };
  /** Calls at or above the slow-call bound, and their total duration. */
  readonly slowCalls: number;
  readonly slowMs: number;
  readonly slowCallMs: number;
  /** Calls that threw, and the first error. */
  readonly threw: number;
  readonly firstThrow?: { readonly seq: number; readonly message: string; readonly stack: string };
}

/** How often the thread's run-queue wait is read between slow calls (a file read: not per call). */
const WAIT_READ_EVERY_MS = 100;

export class CallStats {
  readonly #slowCallMs: number;
  readonly #starved: () => number | undefined;
  #waitAt: { readonly ms: number; readonly at: number } | undefined;
  #slowest = { seq: -1, ms: 0 };
  #slowCalls = 0;
  #slowMs = 0;
  #threw = 0;
  #firstThrow: CallSummary['firstThrow'];

  /**
   * `starved`: the calling thread's cumulative run-queue wait in ms (cpu-clock.ts's
   * readOwnRunQueueWait), undefined where the OS does not say. A slow call is counted net of the
   * time the thread stood ready without a CPU since the last reading (at most 100 ms before the
   * call began, so the error is on the side of a shorter call): a loaded machine does not make a
   * logger's call block its caller.
   */
  constructor(slowCallMs: number, starved: () => number | undefined = () => undefined) {
    this.#slowCallMs = slowCallMs;
    this.#starved = starved;
    const ms = starved();
    this.#waitAt = ms === undefined ? undefined : { ms, at: performance.now() };
  }

  time(seq: number, wallMs: number): void {
    let ms = wallMs;
    if (this.#waitAt !== undefined) {
      const now = performance.now();
      if (wallMs >= this.#slowCallMs || now - this.#waitAt.at >= WAIT_READ_EVERY_MS) {
        const wait = this.#starved();
        if (wait !== undefined) {
          if (wallMs >= this.#slowCallMs) ms = Math.max(0, wallMs - Math.max(0, wait - this.#waitAt.ms));
          this.#waitAt = { ms: wait, at: now };
        }
      }
    }
    if (ms > this.#slowest.ms) this.#slowest = { seq, ms };
    if (ms >= this.#slowCallMs) {
      this.#slowCalls++;
      this.#slowMs += ms;
    }
  }

  threw(seq: number, error: unknown): void {
    this.#threw++;
    if (this.#firstThrow === undefined) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.#firstThrow = { seq, message: e.message, stack: e.stack ?? '' };
    }
  }

  summary(): CallSummary {
    return {
      slowest: { seq: this.#slowest.seq, ms: Math.round(this.#slowest.ms * 10) / 10 },
      slowCalls: this.#slowCalls,
      slowMs: Math.round(this.#slowMs),
      slowCallMs: this.#slowCallMs,
      threw: this.#threw,
      ...(this.#firstThrow !== undefined ? { firstThrow: this.#firstThrow } : {}),
    };
  }
}
