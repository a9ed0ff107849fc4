/**
 * What a thread's log calls looked like beyond their latency histogram: the slowest call (which
 * record, how long), calls that blocked past a bound, and errors thrown out of the log call.
 */

import { WaitSampler } from './wait-sampler.js';

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
  /**
   * The records whose call threw, every one: the caller was told, so one that never reached the
   * sink is counted refused by the ledger, not lost.
   */
  readonly threwSeqs?: readonly number[];
}

export class CallStats {
  readonly #slowCallMs: number;
  readonly #wait: WaitSampler;
  #slowest = { seq: -1, ms: 0 };
  #slowCalls = 0;
  #slowMs = 0;
  #threw = 0;
  #firstThrow: CallSummary['firstThrow'];
  readonly #threwSeqs: number[] = [];

  /**
   * `starved`: the calling thread's cumulative run-queue wait in ms (cpu-clock.ts's
   * readOwnRunQueueWait), undefined where the OS does not say. A slow call is counted net of the
   * time the thread stood ready without a CPU since the last reading (wait-sampler.ts): a loaded
   * machine does not make a logger's call block its caller. Fast calls cost no read and no clock.
   */
  constructor(slowCallMs: number, starved: () => number | undefined = () => undefined) {
    this.#slowCallMs = slowCallMs;
    this.#wait = new WaitSampler(starved);
  }

  time(seq: number, wallMs: number): void {
    let ms = wallMs;
    if (wallMs >= this.#slowCallMs) ms = Math.max(0, wallMs - this.#wait.take());
    else this.#wait.tick(wallMs);
    if (ms > this.#slowest.ms) this.#slowest = { seq, ms };
    if (ms >= this.#slowCallMs) {
      this.#slowCalls++;
      this.#slowMs += ms;
    }
  }

  threw(seq: number, error: unknown): void {
    this.#threw++;
    this.#threwSeqs.push(seq);
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
      ...(this.#threwSeqs.length > 0 ? { threwSeqs: [...this.#threwSeqs] } : {}),
    };
  }
}
