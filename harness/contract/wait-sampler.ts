/**
 * A thread's run-queue wait (the time it stood ready without a CPU), sampled cheaply: read at
 * most every `everyMs` of elapsed time while nothing needs it, and read on demand when a slow
 * call or a late beat must be judged net of it. The reader is passed in (cpu-clock.ts's
 * readOwnRunQueueWait for the calling thread), so the sampler is pure and tested on its own.
 *
 * What `take()` answers is the wait since the last reading, which may have begun up to
 * `everyMs` before the slow event: the error is on the side of crediting more, reporting less.
 */
export class WaitSampler {
  readonly #read: () => number | undefined;
  readonly #everyMs: number;
  #last: number | undefined;
  #sinceRead = 0;

  constructor(read: () => number | undefined, everyMs = 100) {
    this.#read = read;
    this.#everyMs = everyMs;
    this.#last = read();
  }

  /** `elapsedMs` more has passed with nothing to judge: reads when a reading is due. */
  tick(elapsedMs: number): void {
    if (this.#last === undefined) return;
    this.#sinceRead += elapsedMs;
    if (this.#sinceRead < this.#everyMs) return;
    this.#sinceRead = 0;
    this.#last = this.#read() ?? this.#last;
  }

  /** The wait accrued since the last reading (0 where the OS does not say); now becomes the last reading. */
  take(): number {
    if (this.#last === undefined) return 0;
    const now = this.#read();
    if (now === undefined) return 0;
    const waited = Math.max(0, now - this.#last);
    this.#last = now;
    this.#sinceRead = 0;
    return waited;
  }
}
