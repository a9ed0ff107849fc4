/**
 * Entry of one benchmark iteration's child process: the adapter's process-wide setup, then
 * `threads` producer workers released together by a shared-memory gate, then every logger's
 * shutdown, then the sink file read back through the ledger. Only records in the file count:
 * a logger that buffers in memory is not faster for it. One JSON line goes to fd 3.
 *
 * Spans start at the gate. The logging phase ends when the last producer's last call returns,
 * delivery when the sink file was last written (its mtime: the kernel's record of the last
 * write, so no polling thread competes with the logger), shutdown when every close() is done.
 */

import { statSync, writeSync } from 'node:fs';
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
    const data: BenchWorkerData = { adapterUrl: spec.adapterUrl, shape: spec.shape, producer, records: spec.records, ...(spec.minLoggingMs !== undefined ? { minLoggingMs: spec.minLoggingMs } : {}), file, gate };
    return new Worker(WORKER, { workerData: data });
  });
  const ready = workers.map((w) => next(w, 'ready'));
  const done = workers.map((w) => next(w, 'done'));
  // If a thread fails before the gate, `ready` reports it; these must not go unhandled meanwhile.
  for (const d of done) d.catch(() => undefined);
  await Promise.all(ready);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // Epoch ms on the performance clock, which the workers' loggedAt uses too; the file's mtime
  // is on the wall clock, so the offset between the two is taken at the gate.
  const now = (): number => performance.timeOrigin + performance.now();
  const cpu = process.cpuUsage();
  const started = now();
  const wallOffset = Date.now() - started;
  Atomics.store(new Int32Array(gate), 0, 1);
  Atomics.notify(new Int32Array(gate), 0);
  const finished = await Promise.all(done);
  const histograms = finished.map((m) => (m.type === 'done' ? m.histogram : ''));
  const loggedAt = Math.max(...finished.map((m) => (m.type === 'done' ? m.loggedAt : started)));
  if (setup !== undefined) {
    const closed = await closeWithDeadline(setup, 10_000);
    if (!closed.ok) throw new Error(closed.error ?? "the adapter's process-wide close() did not finish within 10000 ms");
  }
  const closedAt = now();
  const used = process.cpuUsage(cpu);
  loopDelay.disable();
  // A rotating logger's records are spread over its files; the last write is the latest of them.
  const files = adapter.sinkFiles?.(file) ?? [file];
  const lastWrites = files.map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs).filter((t): t is number => t !== undefined);
  const lastWrite = lastWrites.length > 0 ? Math.max(...lastWrites) : undefined;
  const ledger = Ledger.createLocal({ producers: spec.threads, capacity: spec.records });
  for (const f of files) if (statSync(f, { throwIfNoEntry: false }) !== undefined) await ledger.deliverFile(f, adapter.capabilities.format);
  const counts = ledger.reconcile(finished.map((m) => (m.type === 'done' ? m.logged : spec.records)), 0);
  const latency = mergeHistograms(histograms);
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  // mtime's clock ticks coarsely (a few ms); a write inside the last tick may read as a little
  // before the gate's own reading in a very short run, hence the floor of 1 ms.
  const deliveredMs = lastWrite === undefined || counts.delivered === 0 ? 0 : Math.max(1, lastWrite - wallOffset - started);
  send({
    type: 'result',
    sample: {
      produced: counts.produced,
      delivered: counts.delivered,
      loggingMs: r2(loggedAt - started),
      deliveredMs: r2(deliveredMs),
      deliveredPerSec: deliveredMs > 0 ? Math.round(counts.delivered / (deliveredMs / 1000)) : 0,
      shutdownMs: r2(Math.max(0, closedAt - loggedAt)),
      wallMs: r2(closedAt - started),
      cpuNsPerRecord: counts.delivered > 0 ? Math.round(((used.user + used.system) * 1000) / counts.delivered) : 0,
      callLatencyUs: summarise(latency),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
      node: process.version,
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
