/**
 * The reference logger against pino, in one run, on this machine, as ratios (issue 4):
 *
 * - a filtered-out call (target < 20 ns);
 * - producer call latency p50/p99 with a fast sink and with a stalled one (target p99 < 2 µs);
 * - delivered records per second, end to end into a file, one producer thread and two
 *   (targets: ≥ pino's fastest configuration; two threads ≥ 1.5× one);
 * - memory while the sink is stalled (target: flat);
 * - the seeds' table shapes (Simple, Structured, Error), delivered records per second.
 *
 * Producers are real worker threads; "delivered" means in the file, after the logger's own
 * flush. The stalled sink is a handler (reference) or a stream (pino) that never completes a
 * write until released. Nothing here asserts: the figures and ratios are printed and written.
 */

import { rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import pino from 'pino';
import { FileHandler, fileWriter } from '../adapters/reference/handlers.js';
import { configure, getLogger, type LoggingSystem } from '../adapters/reference/index.js';
import type { LogRecord } from '../adapters/reference/record.js';

const REF = new URL('../adapters/reference/index.js', import.meta.url).href;
const SELF = import.meta.url;
const PINO = import.meta.resolve('pino');
const RECORDS = 200_000;
const MESSAGE = 'lj:0:12345:9f1c22ab:Qx81abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_abcdefghij;';

/** A file handler that holds every batch until `gate[0]` turns 1 (the stalled sink). */
export class StalledHandler extends FileHandler {
  readonly #gate: Int32Array;

  constructor(name: string, options: { readonly file: string; readonly gate: SharedArrayBuffer }) {
    super(name, fileWriter(options.file));
    this.#gate = new Int32Array(options.gate);
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    while (Atomics.load(this.#gate, 0) === 0) Atomics.wait(this.#gate, 0, 0, 1000);
    super.emitBatch(records);
  }
}

type Shape = 'simple' | 'structured' | 'error';

/** Producer thread code: logs `records` records of `shape` through `logger`, timing each call. */
const PRODUCER = `
import { parentPort, workerData } from 'node:worker_threads';
const { kind, records, shape, file, timed, message } = workerData;
let log, done;
if (kind === 'reference') {
  const ref = await import(${JSON.stringify(REF)});
  log = ref.getLogger('bench');
  // The configuring thread flushes once every producer is done.
  done = () => {};
} else {
  const pino = (await import(${JSON.stringify(PINO)})).default;
  const dest = kind === 'pino-sync' ? pino.destination({ dest: file, sync: true, append: true })
    : kind === 'pino-async' ? pino.destination({ dest: file, sync: false, append: true, minLength: 4096 })
    : new (await import('node:stream')).Writable({ write(_c, _e, cb) { /* stalled: never calls back */ } , highWaterMark: 1 << 30 });
  // sonic-boom opens the file asynchronously; flushSync before that throws.
  if (kind === 'pino-async') await new Promise((resolve) => dest.once('ready', resolve));
  const logger = pino({ level: 'info' }, dest);
  log = logger;
  done = () => { if (dest.flushSync) { dest.flushSync(); dest.end(); } };
}
const err = new Error('connection refused');
const fields = { user: 'ana', requestId: 'r-1234', attempt: 3, path: '/api/v1/items' };
const lat = timed ? new Float64Array(records) : undefined;
const started = performance.now();
for (let i = 0; i < records; i++) {
  const t0 = timed ? performance.now() : 0;
  if (shape === 'simple') log.info(message);
  else if (shape === 'structured') kind === 'reference' ? log.info(message, fields) : log.info(fields, message);
  else kind === 'reference' ? log.error(message, err) : log.error(err, message);
  if (lat) lat[i] = performance.now() - t0;
}
const loggedMs = performance.now() - started;
done();
const mem = process.memoryUsage();
parentPort.postMessage({ loggedMs, lat, heapMb: mem.heapUsed / 2 ** 20 });
`;

interface ProducerResult {
  readonly loggedMs: number;
  readonly lat?: Float64Array;
  readonly heapMb: number;
}

function producer(kind: string, records: number, shape: Shape, file: string, timed: boolean): Promise<ProducerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(PRODUCER, { eval: true, workerData: { kind, records, shape, file, timed, message: MESSAGE } });
    let result: ProducerResult | undefined;
    w.on('message', (m: ProducerResult) => (result = m));
    w.on('error', reject);
    w.on('exit', () => (result !== undefined ? resolve(result) : reject(new Error(`${kind} producer exited without a result`))));
  });
}

const scratch = join(tmpdir(), `logjam-bench-${process.pid}`);
const fileFor = (name: string): string => `${scratch}-${name}.log`;

async function withReference<T>(config: Parameters<typeof configure>[0], fn: (system: LoggingSystem) => Promise<T>): Promise<T> {
  const system = await configure(config);
  try {
    return await fn(system);
  } finally {
    system.stop(60_000);
  }
}

const fileConfig = (file: string): Parameters<typeof configure>[0] => ({
  queue: { capacity: 64 * 1024 * 1024 },
  handlers: { f: { type: 'file', filename: file } },
  root: { level: 'info', handlers: ['f'] },
});

/** Delivered records per second: from the first call to the last record in the file. */
async function delivered(kind: string, threads: number, shape: Shape): Promise<number> {
  const file = fileFor(`${kind}-${threads}-${shape}`);
  rmSync(file, { force: true });
  const records = Math.round(RECORDS / threads);
  const started = performance.now();
  if (kind === 'reference') {
    await withReference(fileConfig(file), async (system) => {
      await Promise.all(Array.from({ length: threads }, () => producer(kind, records, shape, file, false)));
      system.flush(60_000);
    });
  } else {
    await Promise.all(Array.from({ length: threads }, () => producer(kind, records, shape, file, false)));
  }
  const ms = performance.now() - started;
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  if (bytes === 0) throw new Error(`${kind} wrote nothing`);
  return (records * threads) / (ms / 1000);
}

function percentile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) * 1000;
}

/** p50/p99 call latency in µs, and the producer thread's heap after logging, for a sink. */
async function latency(kind: string, stalled: boolean): Promise<{ p50: number; p99: number; heapMb: number; rssGrowthMb: number }> {
  const file = fileFor(`${kind}-lat-${String(stalled)}`);
  rmSync(file, { force: true });
  const gate = new SharedArrayBuffer(4);
  const rssBefore = process.memoryUsage().rss;
  let r: ProducerResult;
  let rssAfter = rssBefore;
  if (kind === 'reference') {
    const config = stalled
      ? { ...fileConfig(file), queue: { capacity: 4 * 1024 * 1024 }, handlers: { f: { type: 'custom' as const, module: SELF, export: 'StalledHandler', options: { file, gate } } } }
      : fileConfig(file);
    r = await withReference(config, async () => {
      const out = await producer(kind, RECORDS, 'simple', file, true);
      rssAfter = process.memoryUsage().rss;
      Atomics.store(new Int32Array(gate), 0, 1);
      Atomics.notify(new Int32Array(gate), 0);
      return out;
    });
  } else {
    r = await producer(stalled ? 'pino-stalled' : kind, RECORDS, 'simple', file, true);
    rssAfter = process.memoryUsage().rss;
  }
  rmSync(file, { force: true });
  const lat = r.lat as Float64Array;
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), heapMb: r.heapMb, rssGrowthMb: (rssAfter - rssBefore) / 2 ** 20 };
}

/** ns per filtered-out call (debug on an info logger), same thread, tinybench. */
async function filteredOut(): Promise<{ reference: number; pino: number }> {
  const file = fileFor('filtered');
  return withReference(fileConfig(file), async () => {
    const ref = getLogger('bench.filtered');
    const p = pino({ level: 'info' }, pino.destination({ dest: file, sync: true }));
    const N = 10_000;
    const bench = new Bench({ time: 300, warmupTime: 100 });
    bench
      .add('reference: logger.debug, filtered out', () => {
        for (let i = 0; i < N; i++) ref.debug(MESSAGE);
      })
      .add('pino: logger.debug, filtered out', () => {
        for (let i = 0; i < N; i++) p.debug(MESSAGE);
      })
      .add('baseline: empty loop', () => {
        for (let i = 0; i < N; i++);
      });
    await bench.run();
    const ns = (name: string): number => {
      const r = bench.tasks.find((t) => t.name === name)?.result;
      if (r?.state !== 'completed') throw new Error(`benchmark ${name} did not complete`);
      return (r.period * 1e6) / N;
    };
    rmSync(file, { force: true });
    return { reference: ns('reference: logger.debug, filtered out'), pino: ns('pino: logger.debug, filtered out') };
  });
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export async function runReferenceBench(): Promise<void> {
  const filtered = await filteredOut();
  const fast = { reference: await latency('reference', false), pino: await latency('pino-async', false) };
  const stalled = { reference: await latency('reference', true), pino: await latency('pino-async', true) };
  const throughput: Record<string, Record<string, number>> = {};
  for (const kind of ['reference', 'pino-async', 'pino-sync']) {
    throughput[kind] = { one: await delivered(kind, 1, 'simple'), two: await delivered(kind, 2, 'simple') };
  }
  const shapes: Record<string, Record<Shape, number>> = {};
  for (const kind of ['reference', 'pino-async', 'pino-sync']) {
    shapes[kind] = { simple: await delivered(kind, 1, 'simple'), structured: await delivered(kind, 1, 'structured'), error: await delivered(kind, 1, 'error') };
  }
  const t = throughput as Record<'reference' | 'pino-async' | 'pino-sync', { one: number; two: number }>;
  const bestPino = Math.max(t['pino-async'].one, t['pino-sync'].one);
  const s = shapes as Record<'reference' | 'pino-async' | 'pino-sync', Record<Shape, number>>;

  console.log('\nReference logger vs pino (same run, this machine)');
  console.table([
    { measure: 'filtered-out call (ns)', reference: round(filtered.reference), pino: round(filtered.pino), 'ref/pino': round(filtered.reference / filtered.pino), target: '< 20 ns' },
    { measure: 'call p50, fast sink (µs)', reference: round(fast.reference.p50), pino: round(fast.pino.p50), 'ref/pino': round(fast.reference.p50 / fast.pino.p50), target: '' },
    { measure: 'call p99, fast sink (µs)', reference: round(fast.reference.p99), pino: round(fast.pino.p99), 'ref/pino': round(fast.reference.p99 / fast.pino.p99), target: '< 2 µs' },
    { measure: 'call p50, stalled sink (µs)', reference: round(stalled.reference.p50), pino: round(stalled.pino.p50), 'ref/pino': round(stalled.reference.p50 / stalled.pino.p50), target: '' },
    { measure: 'call p99, stalled sink (µs)', reference: round(stalled.reference.p99), pino: round(stalled.pino.p99), 'ref/pino': round(stalled.reference.p99 / stalled.pino.p99), target: '< 2 µs' },
    { measure: `producer heap after ${RECORDS} records, stalled (MB)`, reference: round(stalled.reference.heapMb, 1), pino: round(stalled.pino.heapMb, 1), 'ref/pino': round(stalled.reference.heapMb / stalled.pino.heapMb), target: 'flat' },
    { measure: 'process RSS growth, stalled (MB)', reference: round(stalled.reference.rssGrowthMb, 1), pino: round(stalled.pino.rssGrowthMb, 1), 'ref/pino': '', target: 'bounded by the queue' },
    { measure: 'delivered rec/s, 1 producer', reference: Math.round(t.reference.one), pino: Math.round(bestPino), 'ref/pino': round(t.reference.one / bestPino), target: '≥ 1.0 vs pino fastest' },
    { measure: 'delivered rec/s, 2 producers', reference: Math.round(t.reference.two), pino: Math.round(Math.max(t['pino-async'].two, t['pino-sync'].two)), 'ref/pino': round(t.reference.two / Math.max(t['pino-async'].two, t['pino-sync'].two)), target: '' },
    { measure: 'two producers / one', reference: round(t.reference.two / t.reference.one), pino: round(t['pino-async'].two / t['pino-async'].one), 'ref/pino': '', target: '≥ 1.5 (2 cores)' },
  ]);
  console.log('Seeds\' table shapes: delivered records/s to a file, one producer thread');
  console.table(
    (['simple', 'structured', 'error'] as const).map((shape) => ({
      scenario: shape,
      reference: Math.round(s.reference[shape]),
      'pino-async': Math.round(s['pino-async'][shape]),
      'pino-sync': Math.round(s['pino-sync'][shape]),
      'vs fastest pino': `${round(s.reference[shape] / Math.max(s['pino-async'][shape], s['pino-sync'][shape]))}x`,
    })),
  );
  const out = { node: process.version, records: RECORDS, filteredNs: filtered, latencyUs: { fast, stalled }, deliveredPerSec: throughput, shapes };
  writeFileSync('bench-results-reference.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('written: bench-results-reference.json');
}
