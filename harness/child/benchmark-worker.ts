/**
 * In-thread code of a benchmark producer: creates the adapter's logger, waits at the start
 * gate, logs its records in one shape timing each call, closes the logger, and posts the call
 * histogram. The host side is harness/child/benchmark-child.ts.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { asAdapter, type LoggerInstance, defaultExport } from '../contract/adapter.js';
import { closeWithDeadline } from '../util/deadline.js';
import { createHistogram, encodeHistogram } from '../util/latency.js';
import { encodeRecord } from '../ledger/record.js';
import type { BenchWorkerData, BenchWorkerMessage } from '../contract/benchmark-protocol.js';

const data = workerData as BenchWorkerData;
const CLOSE_MS = 10_000;
const post = (m: BenchWorkerMessage): void => parentPort?.postMessage(m);

try {
  const adapter = asAdapter(defaultExport(await import(data.adapterUrl)), data.adapterUrl);
  const logger: LoggerInstance = await adapter.create({ sink: {}, file: data.file, producer: data.producer, level: 'info' });
  const fields = { user: 'ana', requestId: 'r-1234', attempt: 3, path: '/api/v1/items' };
  const err = { err: new Error('connection refused') };
  // Only adapters that declare `capabilities.fields` get structured fields; the others log the
  // message alone, and the report marks those cells "(message only)".
  const withFields = adapter.capabilities.fields === true;
  const call: (message: string) => void =
    data.shape === 'simple'
      ? (m) => logger.log('info', m)
      : data.shape === 'structured'
        ? withFields ? (m) => logger.log('info', m, fields) : (m) => logger.log('info', m)
        : withFields ? (m) => logger.log('error', m, err) : (m) => logger.log('error', m);
  const payload = 'Qx81abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  // Markers are made before the gate: only the log call is timed, and it is the same work for all.
  const messages = Array.from({ length: data.records }, (_, seq) => encodeRecord(data.producer, seq, payload));
  const histogram = createHistogram();
  const gate = new Int32Array(data.gate);
  post({ type: 'ready' });
  // Bounded: the child's deadline ends the process if the gate never opens.
  while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 1000);
  // A time-sized iteration stops once the thread has logged for minLoggingMs; the clock is read
  // for the histogram anyway, and compared every 256 calls.
  const boundNs = data.minLoggingMs !== undefined ? BigInt(Math.round(data.minLoggingMs * 1e6)) : undefined;
  const first = process.hrtime.bigint();
  let logged = 0;
  while (logged < data.records) {
    const message = messages[logged] ?? '';
    const t0 = process.hrtime.bigint();
    call(message);
    const t1 = process.hrtime.bigint();
    histogram.recordValue(Math.max(1, Number(t1 - t0)));
    logged++;
    if (boundNs !== undefined && (logged & 255) === 0 && t1 - first >= boundNs) break;
  }
  // The logging phase ends here; what close() takes is shutdown (the host compares the two).
  const loggedAt = performance.timeOrigin + performance.now();
  // Bounded, and its timer keeps this thread alive while a transport's 'close' is pending.
  const closed = await closeWithDeadline(logger, CLOSE_MS);
  if (!closed.ok) throw new Error(closed.error ?? `the logger's close() did not finish within ${CLOSE_MS} ms`);
  post({ type: 'done', histogram: encodeHistogram(histogram), loggedAt, logged });
  histogram.destroy();
} catch (error: unknown) {
  post({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
