/**
 * The liveness probe, run by the watchdog thread: it watches the bytes in the run's sink files
 * (rotated ones included) next to the records the harness threads have logged.
 *
 * - Output that grows is progress: a logger still flushing a backlog at shutdown is slow, not
 *   hung, however long its caller has waited.
 * - Output that stops growing while input continues is a wedge: for the hang window, records
 *   kept being logged, the threads logging them turned their event loops (so an asynchronous
 *   logger had the chance to write), and not one byte reached the sink. It is reported as a
 *   `hang` with the sink's size, the records logged since it last grew, and the bytes the
 *   loggers report buffered, where they expose it.
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The sink file and the names rotating loggers give its older parts (sink1.log, sink.log.3). */
const SINK_FILE = /^sink\d*\.log(\.\d+)?$/;

export interface LivenessSample {
  /** Total bytes in the sink files now. */
  readonly bytes: number;
  /** Whether the output grew since the last sample. */
  readonly grew: boolean;
}

export interface Wedge {
  readonly stalledMs: number;
  readonly sinkBytes: number;
  readonly sinkFiles: number;
  readonly producedSinceGrowth: number;
}

export class LivenessProbe {
  readonly #dir: string;
  readonly #windowMs: number;
  #bytes = -1;
  #files = 0;
  #grewAt: number;
  #producedAtGrowth = 0;
  /** Whether a thread that logged since the output last grew has turned its event loop since. */
  #yieldedSinceGrowth = false;

  constructor(dir: string, windowMs: number, now: number) {
    this.#dir = dir;
    this.#windowMs = windowMs;
    this.#grewAt = now;
  }

  /** Looks at the sink files; cheap enough for a few looks per second (one readdir, a stat per file). */
  sample(now: number, produced: number): LivenessSample {
    let bytes = 0;
    let files = 0;
    try {
      for (const name of readdirSync(this.#dir)) {
        if (!SINK_FILE.test(name)) continue;
        try {
          bytes += statSync(join(this.#dir, name)).size;
          files++;
        } catch {
          // rotated away between readdir and stat: counted at the next look
        }
      }
    } catch {
      return { bytes: this.#bytes, grew: false };
    }
    const grew = bytes !== this.#bytes || files !== this.#files;
    this.#bytes = bytes;
    this.#files = files;
    if (grew) {
      this.#grewAt = now;
      this.#producedAtGrowth = produced;
      this.#yieldedSinceGrowth = false;
    }
    return { bytes, grew };
  }

  /** A producing thread turned its event loop: an asynchronous logger could have written. */
  yielded(): void {
    this.#yieldedSinceGrowth = true;
  }

  /** The wedge, if input continued while the output has not grown for the window. */
  wedge(now: number, produced: number): Wedge | undefined {
    const since = produced - this.#producedAtGrowth;
    if (now - this.#grewAt < this.#windowMs || since <= 0 || !this.#yieldedSinceGrowth) return undefined;
    return { stalledMs: Math.round(now - this.#grewAt), sinkBytes: Math.max(0, this.#bytes), sinkFiles: this.#files, producedSinceGrowth: since };
  }
}
