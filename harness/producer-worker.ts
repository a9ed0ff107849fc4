/**
 * A producer thread: loads the adapter, creates its own logger, waits at the start gate with
 * the other producers, logs its records with ids, then runs the logger's shutdown.
 */

import { getEnvironmentData, parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { asAdapter, isTypeScriptModule, type CollectorAddress, type Level } from './adapter.js';
import { rawNotify, rawWait } from './atomics.js';
import { closeWithDeadline } from './deadline.js';
import { createHistogram, encodeHistogram } from './latency.js';
import type { ProducerMessage } from './protocol.js';
import { createRandom } from './random.js';
import { encodeRecord, PayloadSource, type PayloadText } from './record.js';
import type { SinkOptions } from './sinks.js';
import { attachRuntime, SYNC_ENV_KEY, type SyncShared } from './sync-runtime.js';
import type { LockHandle } from './sync.js';
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
  /** The run's collector, for adapters that send over TCP. */
  readonly collector?: CollectorAddress;
}

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
  if (isTypeScriptModule(data.adapterUrl)) (await import('tsx/esm/api')).register();
  const adapter = asAdapter(((await import(data.adapterUrl)) as { default: unknown }).default, data.adapterUrl);
  phase = 'create-logger';
  row.set('starting', 'create-logger');
  const logger = await adapter.create({
    file: data.file,
    producer: data.producer,
    level: 'debug',
    sink: data.sink,
    ...(data.collector !== undefined ? { collector: data.collector } : {}),
  });
  const log = logCall(logger, data.holdLock, data.holdEvery);
  const payloads = new PayloadSource(createRandom(data.seed), data.minPayload, data.maxPayload, data.text);
  const messages: string[] = new Array<string>(Math.min(data.batch, data.records));

  phase = 'wait-start';
  row.set('waiting', 'wait-start');
  Atomics.add(gate, 0, 1);
  rawNotify(gate, 0);
  // Bounded: the main thread opens the gate once every producer is ready, or gives up.
  if (rawWait(gate, 1, 0, data.gateMs) === 'timed-out') {
    throw new Error(`the start gate did not open within ${data.gateMs} ms`);
  }

  phase = 'log';
  row.set('running', 'log');
  const histogram = createHistogram();
  let seq = 0;
  while (seq < data.records) {
    const n = Math.min(data.batch, data.records - seq);
    // Encode outside the timed region: the latency is the logger's call, not our payloads.
    for (let i = 0; i < n; i++) messages[i] = encodeRecord(data.producer, seq + i, payloads.payload(seq + i));
    for (let i = 0; i < n; i++) {
      const message = messages[i] as string;
      const t0 = performance.now();
      log(data.level, message, seq);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
      row.produced(++seq);
    }
    row.beat();
    await yieldToLoop();
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
    closeMs: closed.ms,
    closeTimedOut: !closed.ok && closed.error === undefined,
    ...(closed.error !== undefined ? { closeError: closed.error } : {}),
  };
  row.set('done', 'idle');
  port.postMessage(message);
} catch (error: unknown) {
  row.set('dead', 'idle');
  const e = error instanceof Error ? error : new Error(String(error));
  const message: ProducerMessage = { type: 'failed', producer: data.producer, phase, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  port.postMessage(message);
}
