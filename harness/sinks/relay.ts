/**
 * A paced pipe between a logger and its sink file, for loggers that do not write through
 * logjam's `createSink`: the run's sink path becomes a named pipe (mkfifo) that a harness thread
 * drains into the real sink file at a controlled pace. Slow (a delay per chunk read), stalled
 * (it stops reading for a window: the pipe fills, a synchronous writer then blocks for real in
 * `write(2)` and an asynchronous one buffers in memory), then resumed. Logger-agnostic: any
 * logger that opens a path gets the same pathology.
 *
 * Every writer gets its own pipe, and the relay copies whole lines only: writes to one shared pipe
 * larger than PIPE_BUF (4 KiB) interleave, which would tear records the logger wrote whole
 * (torn-lines measures that on purpose; here it would hide the pathology under test).
 *
 * Host side; the draining loop is relay-worker.ts.
 */

import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { RelayOptions, RelayStats } from '../contract/sink-spec.js';
export type { RelayOptions, RelayStats };

/** Control and counter words shared with the relay thread. */
export const R_STOP = 0;
export const R_READY = 1;
export const R_BYTES = 2;
export const R_LINES = 3;
export const R_READS = 4;
export const R_STALLED_AT = 5;
export const R_RESUMED_AT = 6;
export const R_AFTER_RESUME = 7;
export const R_DONE = 8;
export const R_WORDS = 9;

export interface RelayData {
  readonly fifos: readonly string[];
  readonly out: string;
  readonly options: RelayOptions;
  readonly control: SharedArrayBuffer;
}

export interface Relay {
  /** The named pipes, one per writer, in the order they were asked for. */
  readonly paths: readonly string[];
  stats(): RelayStats;
  /** Drains what is left (bounded), closes the pipe and the file, ends the thread. */
  stop(deadlineMs: number): Promise<RelayStats>;
}

/** Makes each of `fifos` a named pipe and starts draining them into `out`; resolves once it reads. */
export async function startRelay(fifos: readonly string[], out: string, options: RelayOptions, readyMs = 5000): Promise<Relay> {
  for (const fifo of fifos) {
    try {
      execFileSync('mkfifo', ['-m', '600', fifo], { stdio: 'pipe' });
    } catch (error: unknown) {
      throw new Error(`Could not create the named pipe ${fifo} with mkfifo (needed to pace a sink that the logger opens by path): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const control = new SharedArrayBuffer(R_WORDS * 4);
  const words = new Int32Array(control);
  const data: RelayData = { fifos, out, options, control };
  const worker = new Worker(new URL('./relay-worker.js', import.meta.url), { workerData: data });
  let failure: Error | undefined;
  // When: the relay thread threw (a harness bug, or the pipe vanished).
  worker.on('error', (error) => {
    failure = error;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // The pipe must have its reader before any logger opens it: opening a pipe to write blocks
  // until one exists. Bounded wait, polled so this thread's loop keeps turning.
  const readyBy = Date.now() + readyMs;
  while (Atomics.load(words, R_READY) === 0) {
    if (failure !== undefined) throw new Error(`The sink relay failed to start: ${failure.message}: this is a harness bug`);
    if (Date.now() > readyBy) throw new Error(`The sink relay did not open ${fifos.join(', ')} within ${readyMs} ms: this is a harness bug`);
    const waited = Atomics.waitAsync(words, R_READY, 0, 20);
    if (waited.async) await waited.value;
  }
  worker.unref();
  const stats = (): RelayStats => {
    const stalledAt = Atomics.load(words, R_STALLED_AT);
    const resumedAt = Atomics.load(words, R_RESUMED_AT);
    return {
      bytes: Atomics.load(words, R_BYTES),
      lines: Atomics.load(words, R_LINES),
      reads: Atomics.load(words, R_READS),
      ...(stalledAt > 0 ? { stalledAtMs: stalledAt - 1 } : {}),
      ...(resumedAt > 0 ? { resumedAtMs: resumedAt - 1 } : {}),
      bytesAfterResume: Atomics.load(words, R_AFTER_RESUME),
    };
  };
  return {
    paths: fifos,
    stats,
    async stop(deadlineMs) {
      Atomics.store(words, R_STOP, 1);
      Atomics.notify(words, R_STOP);
      // Atomics.waitAsync holds no reference on the event loop and the relay thread is unref'd:
      // without this timer the process could end in the middle of the wait.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        const by = Date.now() + deadlineMs;
        while (Atomics.load(words, R_DONE) === 0 && Date.now() < by) {
          const waited = Atomics.waitAsync(words, R_DONE, 0, 20);
          if (waited.async) await waited.value;
        }
        if (Atomics.load(words, R_DONE) === 0) await worker.terminate();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
      } finally {
        clearInterval(keepAlive);
      }
      return stats();
    },
  };
}
