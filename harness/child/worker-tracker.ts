/**
 * Tracks the worker threads a logger starts in this thread (pino's thread-stream worker, the
 * reference logger's listener), so crash-mid-write can end one while records are in flight.
 *
 * `worker_threads.Worker` is replaced by a subclass that remembers each instance, and the
 * change is pushed to every ES module importing it (`syncBuiltinESMExports`). It must run
 * before the adapter's module is imported: a logger that captured `Worker` earlier keeps the
 * original. The harness's own threads (producers, the watchdog) start from harness/ and are
 * not the logger's.
 */

import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker, WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const harnessDir = new URL('../', import.meta.url).href;
const tracked = new Set<Worker>();
let installed = false;

export function installWorkerTracker(): void {
  if (installed) return;
  installed = true;
  const threads = require('node:worker_threads') as typeof WorkerThreads;
  const Original = threads.Worker;
  class TrackedWorker extends Original {
    constructor(filename: string | URL, options?: WorkerOptions) {
      super(filename, options);
      const script = typeof filename === 'string' && !filename.startsWith('file:') && options?.eval !== true ? new URL(`file://${filename}`).href : String(filename);
      if (!script.startsWith(harnessDir)) {
        tracked.add(this);
        // When: the thread ended, by itself or by terminate().
        this.once('exit', () => tracked.delete(this));
      }
    }
  }
  threads.Worker = TrackedWorker;
  syncBuiltinESMExports();
}

/** The logger's worker threads started in this thread that have not exited yet. */
export function loggerWorkers(): readonly Worker[] {
  return [...tracked];
}
