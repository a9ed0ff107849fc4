/**
 * Host side of the watchdog: starts its thread inside a run's child process.
 */

import { Worker } from 'node:worker_threads';
import type { EventChannel } from './channel.js';
import type { SyncShared } from './sync-runtime.js';
import type { WatchdogData } from './watchdog-worker.js';

export interface WatchdogOptions {
  readonly hangMs: number;
  readonly stallMs: number;
  /** The run's folder, whose sink files the liveness probe watches. */
  readonly sinkDir?: string;
}

/**
 * Starts the watchdog. The worker is unref'd: it must never be the reason a run's process
 * stays alive, since natural exit is itself under test.
 */
export function startWatchdog(shared: SyncShared, channel: EventChannel, options: WatchdogOptions): Worker {
  const data: WatchdogData = {
    shared,
    hangMs: options.hangMs,
    stallMs: options.stallMs,
    ...(options.sinkDir !== undefined ? { sinkDir: options.sinkDir } : {}),
    pollMs: 10,
    progressMs: 250,
  };
  const worker = new Worker(new URL('./watchdog-worker.js', import.meta.url), {
    workerData: data,
    // The watchdog must answer even when a logger's code in the main thread is out of memory.
    resourceLimits: { maxOldGenerationSizeMb: 64 },
  });
  worker.unref();
  // When: the watchdog's own code threw. It cannot report itself, so the main thread does.
  worker.on('error', (error: Error) => {
    channel.send({ type: 'harness-error', message: `watchdog thread failed: ${error.message}`, ...(error.stack ? { stack: error.stack } : {}) });
  });
  return worker;
}
