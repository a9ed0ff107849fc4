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
 * - Unless the process was busy: a logger whose threads kept a CPU at work through the window
 *   (at least half of one, summed over the process's threads) is still doing something, often
 *   the very sending that has not reached the sink yet (an HTTP appender opening one connection
 *   per record of a burst delivers its first byte seconds after the burst, then every record).
 *   Such a stall is judged over `BUSY_WINDOWS` windows instead of one: a logger that burns a CPU
 *   that long and writes nothing is spinning, not slow.
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

/** The share of one CPU the process's threads used over the window at which a stall counts as busy. */
export const BUSY_SHARE = 0.5;
/** How many windows a busy process may stall before it is a wedge. */
export const BUSY_WINDOWS = 3;

export interface Wedge {
  readonly stalledMs: number;
  /** The CPUs' worth the process's threads (the watchdog's aside) used while the sink stood still, where the OS says. */
  readonly busyShare?: number;
  readonly sinkBytes: number;
  readonly sinkFiles: number;
  readonly producedSinceGrowth: number;
}

/** The sink files' total size, as one look at the run's folder sees it. */
export interface SinkSize {
  readonly bytes: number;
  readonly files: number;
}

/**
 * Looks at the sink files: one readdir and a stat per file, cheap enough for a few looks per
 * second. Undefined when the folder cannot be read.
 */
export function measureSink(dir: string): SinkSize | undefined {
  let bytes = 0;
  let files = 0;
  try {
    for (const name of readdirSync(dir)) {
      if (!SINK_FILE.test(name)) continue;
      try {
        bytes += statSync(join(dir, name)).size;
        files++;
      } catch {
        // rotated away between readdir and stat: counted at the next look
      }
    }
  } catch {
    return undefined;
  }
  return { bytes, files };
}

/** The probe's judgement over successive sizes of the sink: pure, the sizes are passed in. */
export class LivenessProbe {
  readonly #windowMs: number;
  #bytes = -1;
  #files = 0;
  #grewAt: number;
  #producedAtGrowth = 0;
  /** The process's CPU ms when the output last grew (or at the first reading), undefined until known. */
  #cpuAtGrowth: number | undefined;
  /** Whether a thread that logged since the output last grew has turned its event loop since. */
  #yieldedSinceGrowth = false;

  constructor(windowMs: number, now: number) {
    this.#windowMs = windowMs;
    this.#grewAt = now;
  }

  /**
   * A look at the sink: `size` from measureSink, undefined when the folder could not be read;
   * `cpuMs`: the process's CPU time so far (readSchedstats), where known.
   */
  sample(now: number, size: SinkSize | undefined, produced: number, cpuMs?: number): LivenessSample {
    this.#cpuAtGrowth ??= cpuMs;
    if (size === undefined) return { bytes: this.#bytes, grew: false };
    const grew = size.bytes !== this.#bytes || size.files !== this.#files;
    this.#bytes = size.bytes;
    this.#files = size.files;
    if (grew) {
      this.#grewAt = now;
      this.#producedAtGrowth = produced;
      this.#cpuAtGrowth = cpuMs;
      this.#yieldedSinceGrowth = false;
    }
    return { bytes: size.bytes, grew };
  }

  /** A producing thread turned its event loop: an asynchronous logger could have written. */
  yielded(): void {
    this.#yieldedSinceGrowth = true;
  }

  /**
   * The wedge, if input continued while the output has not grown for the window (for
   * `BUSY_WINDOWS` windows while the process kept a CPU busy). `cpuMs` as for `sample`.
   */
  wedge(now: number, produced: number, cpuMs?: number): Wedge | undefined {
    const since = produced - this.#producedAtGrowth;
    const stalled = now - this.#grewAt;
    if (stalled < this.#windowMs || since <= 0 || !this.#yieldedSinceGrowth) return undefined;
    const busyShare = cpuMs !== undefined && this.#cpuAtGrowth !== undefined && stalled > 0 ? Math.max(0, cpuMs - this.#cpuAtGrowth) / stalled : undefined;
    if (busyShare !== undefined && busyShare >= BUSY_SHARE && stalled < BUSY_WINDOWS * this.#windowMs) return undefined;
    return {
      stalledMs: Math.round(stalled),
      ...(busyShare !== undefined ? { busyShare: Math.round(busyShare * 100) / 100 } : {}),
      sinkBytes: Math.max(0, this.#bytes),
      sinkFiles: this.#files,
      producedSinceGrowth: since,
    };
  }
}
