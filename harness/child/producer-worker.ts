/**
 * A producer thread: loads the adapter, creates its own logger, waits at the start gate with
 * the other producers, logs its records with ids, then runs the logger's shutdown.
 */

import { readOwnRunQueueWait } from '../util/cpu-clock.js';
import { getEnvironmentData, parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { asAdapter, isTypeScriptModule, type CollectorAddress, type Level, type LoggerInstance, defaultExport } from '../contract/adapter.js';
import { CallStats } from '../contract/call-stats.js';
import { rawNotify, rawWait } from '../sync/atomics.js';
import { closeWithDeadline } from '../util/deadline.js';
import { createHistogram, encodeHistogram } from '../util/latency.js';
import type { ProducerMessage } from '../contract/protocol.js';
import { levelAt, type LevelMix } from '../contract/level-mix.js';
import { createRandom } from '../util/random.js';
import { encodeRecord, PayloadSource, type PayloadText } from '../ledger/record.js';
import type { SinkOptions } from '../sinks/sinks.js';
import { attachRuntime, SYNC_ENV_KEY, type SyncShared } from '../sync/runtime.js';
import type { LockHandle } from '../sync/locks.js';
import { logCall } from './log-call.js';

export interface ProducerData {
  readonly adapterUrl: string;
  readonly producer: number;
  readonly slot: number;
  /** [0] producers ready, [1] go flag: set once by the main thread, never reset. */
  readonly gate: SharedArrayBuffer;
  readonly gateMs: number;
  readonly closeMs: number;
  readonly file: string;
  readonly records: number;
  readonly batch: number;
  readonly minPayload: number;
  readonly maxPayload: number;
  readonly text: PayloadText;
  readonly level: Level;
  readonly seed: number;
  readonly sink: SinkOptions;
  /** A lock held around each log call, as an interpreter lock is (lock-inversion). */
  readonly holdLock?: LockHandle;
  readonly holdEvery: number;
  /** Mixed severities instead of `level` (see level-mix.ts). */
  readonly mix?: LevelMix;
  /** Pause between two batches, so a burst is followed by quiet. @default 0 */
  readonly pauseMs?: number;
  /** Log inside trace contexts (see ProducerOptions.context). */
  readonly context?: { readonly perContext: number; readonly concurrent: number };
  /** Calls at least this long are counted as slow. */
  readonly slowCallMs: number;
  readonly secondFile?: string;
  readonly secondSink?: SinkOptions;
  readonly bufferBytes?: number;
  /** The run's collector, for adapters that send over TCP. */
  readonly collector?: CollectorAddress;
}

/** Epoch ms: this thread's performance clock starts at its own spawn, timeOrigin makes it comparable. */
const now = (): number => performance.timeOrigin + performance.now();
// Static imports are evaluated before this line: the harness is loaded in this thread.
const harnessAt = now();
const data = workerData as ProducerData;
const port = parentPort;
if (port === null) throw new Error('producer-worker.js must run as a worker thread: this is a harness bug');
// The board and lock tables came with the thread's environment data from the main thread.
const row = attachRuntime(getEnvironmentData(SYNC_ENV_KEY) as SyncShared, data.slot, `producer-${data.producer}`).row;
const gate = new Int32Array(data.gate);
let phase = 'load-adapter';

try {
  row.target(data.records);
  row.set('starting', 'load-adapter');
  // Node 20 does not run the process's --import hooks in worker threads: register them here.
  // Both hooks: in a CommonJS project (no "type": "module") the adapter compiles to CommonJS and
  // its own relative .ts imports are require() calls.
  if (isTypeScriptModule(data.adapterUrl)) {
    (await import('tsx/esm/api')).register();
    (await import('tsx/cjs/api')).register();
  }
  const adapter = asAdapter(defaultExport(await import(data.adapterUrl)), data.adapterUrl);
  const adapterAt = now();
  phase = 'create-logger';
  row.set('starting', 'create-logger');
  const logger = await adapter.create({
    file: data.file,
    producer: data.producer,
    level: 'debug',
    sink: data.sink,
    ...(data.secondFile !== undefined ? { secondFile: data.secondFile, secondSink: data.secondSink ?? {} } : {}),
    ...(data.bufferBytes !== undefined ? { bufferBytes: data.bufferBytes } : {}),
    ...(data.collector !== undefined ? { collector: data.collector } : {}),
  });
  const log = logCall(logger, data.holdLock, data.holdEvery);
  const payloads = new PayloadSource(createRandom(data.seed), data.minPayload, data.maxPayload, data.text);
  const messages: string[] = new Array<string>(Math.max(1, Math.min(data.batch, data.records)));

  phase = 'wait-start';
  // Waiting at the start gate for the other producers to load is start-up too (issue 13).
  row.set('starting', 'wait-start');
  const readyAt = now();
  Atomics.add(gate, 0, 1);
  rawNotify(gate, 0);
  // Bounded: the main thread opens the gate once every producer is ready, or gives up.
  if (rawWait(gate, 1, 0, data.gateMs) === 'timed-out') {
    throw new Error(`the start gate did not open within ${data.gateMs} ms`);
  }

  phase = 'log';
  row.set('running', 'log');
  const histogram = createHistogram();
  const calls = new CallStats(data.slowCallMs, () => readOwnRunQueueWait());
  let seq = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  // What the logger holds unwritten, on the board for the liveness probe's wedge report. A
  // logger whose buffered() throws is asked no more: the count is evidence, not the run.
  let askBuffered = logger.buffered !== undefined;
  const publishBuffered = (): void => {
    if (!askBuffered) return;
    try {
      row.buffered((logger.buffered as () => number)());
    } catch {
      askBuffered = false;
    }
  };
  const logOne = (payload: (seq: number) => string): void => {
    const level = data.mix !== undefined ? levelAt(data.mix, data.producer, seq) : data.level;
    const message = encodeRecord(data.producer, seq, payload(seq));
    const t0 = performance.now();
    firstAt ??= performance.timeOrigin + t0;
    try {
      log(level, message, seq);
    } catch (error: unknown) {
      // An error thrown out of the log call is a finding about the logger, not a harness failure.
      calls.threw(seq, error);
    }
    const t1 = performance.now();
    lastAt = performance.timeOrigin + t1;
    const ns = Math.round((t1 - t0) * 1e6);
    histogram.recordValue(Math.max(1, ns));
    calls.time(seq, ns / 1e6);
    row.produced(++seq);
  };
  if (data.context !== undefined) {
    await logInContexts(data.context, (traceId) => logOne((n) => `T${traceId}-${payloads.payload(n)}`), () => seq < data.records, logger, () => {
      publishBuffered();
      row.beat();
    });
  } else {
    while (seq < data.records) {
      const n = Math.min(data.batch, data.records - seq);
      // Encode outside the timed region: the latency is the logger's call, not our payloads.
      for (let i = 0; i < n; i++) messages[i] = payloads.payload(seq + i);
      const first = seq;
      for (let i = 0; i < n; i++) logOne(() => messages[seq - first] as string);
      publishBuffered();
      row.beat();
      if (data.pauseMs !== undefined && data.pauseMs > 0 && seq < data.records) await sleep(data.pauseMs);
      else await yieldToLoop();
    }
  }

  phase = 'close';
  row.set('closing', 'close');
  const closed = await closeWithDeadline(logger, data.closeMs);
  const message: ProducerMessage = {
    type: 'result',
    producer: data.producer,
    produced: seq,
    dropped: logger.dropped?.() ?? 0,
    latency: encodeHistogram(histogram),
    calls: calls.summary(),
    closeMs: closed.ms,
    closeTimedOut: !closed.ok && closed.error === undefined,
    ...(closed.error !== undefined ? { closeError: closed.error } : {}),
    at: { harness: harnessAt, adapter: adapterAt, ready: readyAt, ...(firstAt !== undefined ? { first: firstAt } : {}), ...(lastAt !== undefined ? { last: lastAt } : {}) },
  };
  row.set('done', 'idle');
  port.postMessage(message);
} catch (error: unknown) {
  row.set('dead', 'idle');
  const e = error instanceof Error ? error : new Error(String(error));
  const message: ProducerMessage = { type: 'failed', producer: data.producer, phase, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  port.postMessage(message);
}

/**
 * Logs inside trace contexts: `concurrent` tasks on this thread, each opening context after
 * context (`perContext` records each) and awaiting between records in three different ways, so
 * contexts interleave on one thread as they do in a server. A logger without `withContext`
 * never gets here (the scenario skips it).
 */
async function logInContexts(
  options: { readonly perContext: number; readonly concurrent: number },
  logAs: (traceId: string) => void,
  more: () => boolean,
  logger: LoggerInstance,
  between: () => void,
): Promise<void> {
  if (logger.withContext === undefined) throw new Error('the adapter has no withContext(): the scenario should have skipped it (a harness bug)');
  const withContext = <T>(fields: Readonly<Record<string, string>>, fn: () => T): T => (logger.withContext as NonNullable<LoggerInstance['withContext']>).call(logger, fields, fn) as T;
  let nextContext = 0;
  const task = async (): Promise<void> => {
    while (more()) {
      const traceId = `p${data.producer}c${nextContext++}`;
      await withContext({ traceId }, async () => {
        for (let i = 0; i < options.perContext && more(); i++) {
          logAs(traceId);
          const turn = i % 3;
          if (turn === 0) await yieldToLoop();
          else if (turn === 1) await Promise.resolve();
          else await sleep(0);
        }
      });
      between();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrent) }, task));
}
