/**
 * Host side of the watchdog: starts its thread inside a run's child process.
 */

import { Worker } from 'node:worker_threads';
import { MAX_THREADS } from '../sync/board.js';
import type { EventChannel } from '../sync/channel.js';
import type { Preemption } from '../contract/schedule-spec.js';
import type { ScheduleShared } from '../sync/schedule.js';
import type { SchedulerData } from '../sync/scheduler-worker.js';
import type { SyncShared } from '../sync/runtime.js';
import type { WatchdogData } from './watchdog-worker.js';

export interface WatchdogOptions {
  readonly hangMs: number;
  /** The run's folder, whose sink files the liveness probe watches. */
  readonly sinkDir?: string;
}

/**
 * Starts the watchdog. The worker is unref'd: it must never be the reason a run's process
 * stays alive, since natural exit is itself under test.
 */
/** Starts the coordinator of a controlled run (scheduler-worker.ts). */
export function startScheduler(schedule: ScheduleShared, shared: SyncShared, channel: EventChannel, preemptions: readonly Preemption[]): Worker {
  const data: SchedulerData = {
    schedule: schedule.buffer,
    board: shared.board,
    locks: shared.locks,
    strings: shared.strings,
    channel: shared.channel,
    preemptions,
    slots: MAX_THREADS,
  };
  const worker = new Worker(new URL('../sync/scheduler-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 64 } });
  worker.unref();
  // When: the coordinator's own code threw; the points it held time out and run free.
  worker.on('error', (error: Error) => {
    channel.send({ type: 'harness-error', message: `scheduler thread failed: ${error.message}`, ...(error.stack ? { stack: error.stack } : {}) });
  });
  return worker;
}

export function startWatchdog(shared: SyncShared, channel: EventChannel, options: WatchdogOptions): Worker {
  const data: WatchdogData = {
    shared,
    hangMs: options.hangMs,
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
