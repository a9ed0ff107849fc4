/**
 * Entry of one benchmark iteration's child process: the adapter's process-wide setup, then
 * `threads` producer workers released together by a shared-memory gate, then every logger's
 * shutdown, then the sink file read back through the ledger. Only records in the file count:
 * a logger that buffers in memory is not faster for it. One JSON line goes to fd 3.
 */

import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { asAdapter, defaultExport } from '../contract/adapter.js';
import type { BenchChildMessage, BenchSpec, BenchWorkerData, BenchWorkerMessage } from '../contract/benchmark-protocol.js';
import { closeWithDeadline } from '../util/deadline.js';
import { Ledger } from '../ledger/ledger.js';
import { mergeHistograms, summarise } from '../util/latency.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import { PythonBenchSkip, pythonBenchIteration } from './python-bench.js';

const WORKER = new URL('./benchmark-worker.js', import.meta.url);
const spec = JSON.parse(process.argv[2] ?? '{}') as BenchSpec;
// fd 3 is the pipe to the host; loggers under test may own stdout.
const send = (m: BenchChildMessage): void => void writeSync(3, `${JSON.stringify(m)}\n`);

async function main(): Promise<void> {
  if (isPythonAdapterUrl(spec.adapterUrl)) {
    try {
      send({ type: 'result', sample: await pythonBenchIteration(spec) });
    } catch (error: unknown) {
      if (!(error instanceof PythonBenchSkip)) throw error;
      send({ type: 'skip', reason: error.message });
    }
    return;
  }
  const adapter = asAdapter(defaultExport(await import(spec.adapterUrl)), spec.adapterUrl);
  const file = join(spec.dir, 'sink.log');
  const setup = await adapter.setup?.({ file, level: 'info', sink: {} });
  const gate = new SharedArrayBuffer(4);
  const workers = Array.from({ length: spec.threads }, (_, producer) => {
    const data: BenchWorkerData = { adapterUrl: spec.adapterUrl, shape: spec.shape, producer, records: spec.records, file, gate };
    return new Worker(WORKER, { workerData: data });
  });
  const ready = workers.map((w) => next(w, 'ready'));
  const done = workers.map((w) => next(w, 'done'));
  // If a thread fails before the gate, `ready` reports it; these must not go unhandled meanwhile.
  for (const d of done) d.catch(() => undefined);
  await Promise.all(ready);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const started = performance.now();
  Atomics.store(new Int32Array(gate), 0, 1);
  Atomics.notify(new Int32Array(gate), 0);
  const histograms = (await Promise.all(done)).map((m) => (m.type === 'done' ? m.histogram : ''));
  if (setup !== undefined) {
    const closed = await closeWithDeadline(setup, 10_000);
    if (!closed.ok) throw new Error(closed.error ?? "the adapter's process-wide close() did not finish within 10000 ms");
  }
  const wallMs = performance.now() - started;
  loopDelay.disable();
  const ledger = Ledger.createLocal({ producers: spec.threads, capacity: spec.records });
  await ledger.deliverFile(file, adapter.capabilities.format);
  const counts = ledger.reconcile(Array.from({ length: spec.threads }, () => spec.records), 0);
  const latency = mergeHistograms(histograms);
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  send({
    type: 'result',
    sample: {
      produced: counts.produced,
      delivered: counts.delivered,
      wallMs: Math.round(wallMs * 100) / 100,
      deliveredPerSec: Math.round(counts.delivered / (wallMs / 1000)),
      callLatencyUs: summarise(latency),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    },
  });
}

/** The worker's next message of `type`; an error message or an early exit rejects. */
function next(worker: Worker, type: 'ready' | 'done'): Promise<BenchWorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: BenchWorkerMessage): void => {
      if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === type) resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`a producer thread exited with code ${code} before it was ${type}`)));
  });
}

// The host's deadline bounds every wait above; exit at once, whatever the logger keeps alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
