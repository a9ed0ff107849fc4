/**
 * The reference logger against pino, in one run, on this machine, as ratios (issue 4):
 *
 * - a filtered-out call (target < 20 ns);
 * - producer call latency p50/p99/p99.9/max and bytes allocated per call, with a fast sink and
 *   with a stalled one (target p99 <= 2 µs);
 * - delivered records per second, end to end into a file, with 1, 2 and 4 producer threads,
 *   and the process's CPU time per delivered record (targets: >= pino's fastest configuration
 *   at 1 and 2; 2 producers >= 1 on two cores, and scaling with cores where there are more);
 * - memory while the sink is stalled (target: flat);
 * - the seeds' table shapes (Simple, Structured, Error), delivered records per second.
 *
 * Producers are real worker threads; "delivered" means in the file, after the logger's own
 * flush. The stalled sink is a handler (reference) or a stream (pino) that never completes a
 * write until released. Nothing here asserts: the figures and ratios are printed and written.
 */

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Rounds of each throughput configuration. */
const REPS = 3;
/**
 * Records each producer thread logs before the clock starts (delivered and flushed before it),
 * in throughput runs. A new thread's first tens of thousands of calls run cold: its isolate
 * compiles and optimises the logging path and grows its young heap (measured: about 100 to
 * 200 ms of CPU per thread on this machine). Timed, that cost was paid once per thread for a
 * share of the same 200 000 records, so more threads read as slower per record whatever the
 * queue did. A long-lived application's logging threads are warm; the figures are steady state.
 */
const WARM = 50_000;
/**
 * The latency runs time every call from the thread's first, and report the percentiles of all
 * of them and of those after its first WARM_CALLS: of the calls over 2 µs in 200 000 on a fast
 * sink, 420 to 860 fell in the first 20 000 and 17 to 80 in each later 20 000 (the JIT compiles
 * the logging path during the first).
 */
const WARM_CALLS = 20_000;
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
import { readFileSync } from 'node:fs';
const { kind, records, shape, file, timed, message, start, warm } = workerData;
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
function logOne() {
  if (shape === 'simple') log.info(message);
  else if (shape === 'structured') kind === 'reference' ? log.info(message, fields) : log.info(fields, message);
  else kind === 'reference' ? log.error(message, err) : log.error(err, message);
}
// Throughput runs: say ready once the logger is loaded, and log when the clock starts (all
// producers at once); a thread's start-up is not a record's cost.
if (start) {
  for (let i = 0; i < warm; i++) logOne();
  const gate = new Int32Array(start);
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 1000);
}
const lat = timed ? new Float64Array(records) : undefined;
// This thread's CPU time (Linux: /proc/thread-self/schedstat, ns), NaN where unreadable.
const tcpu = () => { try { return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]); } catch { return NaN; } };
const cpu0 = tcpu();
const started = performance.now();
for (let i = 0; i < records; i++) {
  const t0 = timed ? performance.now() : 0;
  logOne();
  if (lat) lat[i] = performance.now() - t0;
}
const loggedMs = performance.now() - started;
const cpuMs = (tcpu() - cpu0) / 1e6;
// Bytes allocated per call: the heap's growth over windows of 1000 calls, median of the
// windows no collection ran in (a collection shrinks the heap: a negative growth).
let allocBytes;
if (timed) {
  const windows = [];
  for (let k = 0; k < 41; k++) {
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1000; i++) log.info(message);
    const grown = process.memoryUsage().heapUsed - h0;
    if (grown >= 0) windows.push(grown / 1000);
  }
  windows.sort((a, b) => a - b);
  allocBytes = windows[windows.length >> 1];
}
done();
const mem = process.memoryUsage();
parentPort.postMessage({ loggedMs, cpuMs, lat, heapMb: mem.heapUsed / 2 ** 20, allocBytes });
`;

interface ProducerResult {
  readonly loggedMs: number;
  /** This thread's CPU time over its timed records. */
  readonly cpuMs: number;
  readonly lat?: Float64Array;
  readonly heapMb: number;
  readonly allocBytes?: number;
}

function producer(kind: string, records: number, shape: Shape, file: string, timed: boolean, start?: SharedArrayBuffer, warm = 0): Promise<ProducerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(PRODUCER, { eval: true, workerData: { kind, records, shape, file, timed, message: MESSAGE, start, warm } });
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

interface Delivery {
  /** Records in the file per second, from the first timed call to the last record in the file. */
  readonly perSec: number;
  /**
   * CPU time of the whole process (every thread: producers, the logger's own threads, V8's
   * helpers) per delivered record, in ns, over the same span. Starting the producer threads,
   * configuring the reference and the warm-up records are not included.
   */
  readonly cpuNs: number;
  /** The producer threads' own CPU time per record, in ns (the rest is the listener's, pino's worker's, V8's). */
  readonly producerCpuNs: number;
}

/** Newlines in a file: the records it holds. */
function linesIn(file: string): number {
  const text = readFileSync(file);
  let n = 0;
  for (let i = text.indexOf(10); i >= 0; i = text.indexOf(10, i + 1)) n++;
  return n;
}

async function delivered(kind: string, threads: number, shape: Shape): Promise<Delivery> {
  const file = fileFor(`${kind}-${threads}-${shape}`);
  rmSync(file, { force: true });
  const records = Math.round(RECORDS / threads);
  // The clock starts at the first timed call: the reference is configured before (configure()
  // starts the listener thread and maps the whole ring, 64 MiB here), every producer thread has
  // started, loaded its logger (pino opens its destination there) and logged its warm-up
  // records (WARM), and the reference has flushed them. Those are once-per-thread costs that
  // at 200 000 records read as hundreds of ns per record and grew with the number of threads.
  const system = kind === 'reference' ? await configure(fileConfig(file)) : undefined;
  const start = new SharedArrayBuffer(8);
  const gate = new Int32Array(start);
  let cpu = process.cpuUsage();
  let started = performance.now();
  let results: ProducerResult[];
  try {
    const done = Promise.all(Array.from({ length: threads }, () => producer(kind, records, shape, file, false, start, WARM)));
    // A producer that fails before it is ready rejects `done`: awaited below, after a bounded wait.
    done.catch(() => undefined);
    const readyBy = performance.now() + 60_000;
    for (let ready = Atomics.load(gate, 1); ready < threads && performance.now() < readyBy; ready = Atomics.load(gate, 1)) {
      const waited = Atomics.waitAsync(gate, 1, ready, 100);
      if (waited.async) await waited.value;
    }
    system?.flush(60_000);
    cpu = process.cpuUsage();
    started = performance.now();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    results = await done;
    system?.flush(60_000);
  } finally {
    system?.stop(60_000);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const total = records * threads;
  // A figure over records that never arrived would flatter the logger: every one must be there.
  const lines = linesIn(file);
  rmSync(file, { force: true });
  if (lines !== (records + WARM) * threads) throw new Error(`${kind} with ${threads} producers delivered ${lines} of ${(records + WARM) * threads} records: a throughput figure needs every record in the file`);
  const producerMs = results.reduce((sum, r) => sum + r.cpuMs, 0);
  return { perSec: total / (ms / 1000), cpuNs: ((used.user + used.system) * 1000) / total, producerCpuNs: (producerMs * 1e6) / total };
}

/** What the rounds of one configuration came to. */
interface Rounds {
  /** The best round's rec/s, the median round's, the worst's. */
  readonly perSec: number;
  readonly median: number;
  readonly worst: number;
  /** The least CPU per record of the rounds: whole process, and the producers' own. */
  readonly cpuNs: number;
  readonly producerCpuNs: number;
}

/**
 * `delivered` REPS times per configuration, the configurations interleaved round by round, so
 * load that comes and goes hits them alike.
 */
async function deliveredRounds(configs: readonly { kind: string; threads: number; shape: Shape }[]): Promise<Map<string, Rounds>> {
  const seen = new Map<string, Delivery[]>();
  for (let round = 0; round < REPS; round++) {
    for (const c of configs) {
      const key = `${c.kind}/${c.threads}/${c.shape}`;
      const ds = seen.get(key) ?? [];
      ds.push(await delivered(c.kind, c.threads, c.shape));
      seen.set(key, ds);
    }
  }
  const out = new Map<string, Rounds>();
  for (const [key, ds] of seen) {
    const rates = ds.map((d) => d.perSec).sort((a, b) => a - b);
    out.set(key, {
      perSec: rates[rates.length - 1] as number,
      median: rates[rates.length >> 1] as number,
      worst: rates[0] as number,
      cpuNs: Math.min(...ds.map((d) => d.cpuNs)),
      producerCpuNs: Math.min(...ds.map((d) => d.producerCpuNs)),
    });
  }
  return out;
}

/** The p-th percentile of `sorted` (ascending, ms), in µs. */
function percentile(sorted: Float64Array, p: number): number {
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) * 1000;
}

/** p50/p99/p99.9/max call latency in µs, and the producer thread's heap after logging, for a sink. */
interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** The same after the thread's first WARM_CALLS calls (its cold start: the JIT compiling the path). */
  readonly warmP99: number;
  readonly warmP999: number;
  readonly max: number;
  readonly heapMb: number;
  readonly rssGrowthMb: number;
  /** Bytes allocated per call, median of windows of 1000 calls after the timed ones. */
  readonly allocBytes: number;
}

async function latency(kind: string, stalled: boolean): Promise<Latency> {
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
  const all = Float64Array.from(lat).sort();
  const warm = lat.slice(WARM_CALLS).sort();
  return {
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    p999: percentile(all, 99.9),
    warmP99: percentile(warm, 99),
    warmP999: percentile(warm, 99.9),
    max: percentile(all, 100),
    heapMb: r.heapMb,
    rssGrowthMb: (rssAfter - rssBefore) / 2 ** 20,
    allocBytes: r.allocBytes ?? NaN,
  };
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

/** The delivered records/s (best of the rounds) per logger and producer count, simple shape: what `compare`'s ranking is checked against. */
export type ReferenceDelivered = Readonly<Record<string, { readonly perSec: number; readonly cpuNs: number; readonly worst: number }>>;

export async function runReferenceBench(): Promise<ReferenceDelivered> {
  const filtered = await filteredOut();
  const fast = { reference: await latency('reference', false), pino: await latency('pino-async', false) };
  const stalled = { reference: await latency('reference', true), pino: await latency('pino-async', true) };
  const kinds = ['reference', 'pino-async', 'pino-sync'] as const;
  const counts = [1, 2, 4] as const;
  const runs = await deliveredRounds(kinds.flatMap((kind) => counts.map((threads) => ({ kind, threads, shape: 'simple' as const }))));
  const at = (kind: string, threads: number, shape: Shape = 'simple'): Rounds =>
    runs.get(`${kind}/${threads}/${shape}`) ?? { perSec: NaN, median: NaN, worst: NaN, cpuNs: NaN, producerCpuNs: NaN };
  const shapeRuns = await deliveredRounds(kinds.flatMap((kind) => (['simple', 'structured', 'error'] as const).map((shape) => ({ kind, threads: 1, shape }))));
  const shapeAt = (kind: string, shape: Shape): number => shapeRuns.get(`${kind}/1/${shape}`)?.perSec ?? NaN;
  const bestPino = (threads: number): number => Math.max(at('pino-async', threads).perSec, at('pino-sync', threads).perSec);

  console.log('\nReference logger vs pino (same run, this machine)');
  const lat = (name: string, key: 'p50' | 'p99' | 'p999' | 'warmP99' | 'warmP999' | 'max', l: { reference: Latency; pino: Latency }, target = ''): Record<string, unknown> => ({
    measure: name,
    reference: round(l.reference[key]),
    pino: round(l.pino[key]),
    'ref/pino': round(l.reference[key] / l.pino[key]),
    target,
  });
  console.table([
    { measure: 'filtered-out call (ns)', reference: round(filtered.reference), pino: round(filtered.pino), 'ref/pino': round(filtered.reference / filtered.pino), target: '< 20 ns' },
    lat('call p50, fast sink (µs)', 'p50', fast),
    lat('call p99, fast sink (µs)', 'p99', fast, '<= 2 µs'),
    lat('call p99.9, fast sink (µs)', 'p999', fast),
    lat(`call p99, fast sink, after ${WARM_CALLS} calls (µs)`, 'warmP99', fast, '<= 2 µs'),
    lat(`call p99.9, fast sink, after ${WARM_CALLS} calls (µs)`, 'warmP999', fast),
    lat('call max, fast sink (µs)', 'max', fast),
    lat('call p50, stalled sink (µs)', 'p50', stalled),
    lat('call p99, stalled sink (µs)', 'p99', stalled, '<= 2 µs'),
    lat('call p99.9, stalled sink (µs)', 'p999', stalled),
    lat(`call p99, stalled sink, after ${WARM_CALLS} calls (µs)`, 'warmP99', stalled, '<= 2 µs'),
    lat(`call p99.9, stalled sink, after ${WARM_CALLS} calls (µs)`, 'warmP999', stalled),
    lat('call max, stalled sink (µs)', 'max', stalled),
    { measure: 'bytes allocated per call, fast sink', reference: round(fast.reference.allocBytes, 0), pino: round(fast.pino.allocBytes, 0), 'ref/pino': round(fast.reference.allocBytes / fast.pino.allocBytes), target: '' },
    { measure: 'bytes allocated per call, stalled sink', reference: round(stalled.reference.allocBytes, 0), pino: round(stalled.pino.allocBytes, 0), 'ref/pino': '', target: '' },
    { measure: `producer heap after ${RECORDS} records, stalled (MB)`, reference: round(stalled.reference.heapMb, 1), pino: round(stalled.pino.heapMb, 1), 'ref/pino': round(stalled.reference.heapMb / stalled.pino.heapMb), target: 'flat' },
    { measure: 'process RSS growth, stalled (MB)', reference: round(stalled.reference.rssGrowthMb, 1), pino: round(stalled.pino.rssGrowthMb, 1), 'ref/pino': '', target: 'bounded by the queue' },
  ]);
  console.log(`Delivered records/s to a file (best of ${REPS} interleaved rounds; median, worst in brackets; each producer warmed by ${WARM} records first) and CPU per delivered record (least of the rounds)`);
  console.table(
    counts.map((threads) => {
      const ref = at('reference', threads);
      const one = at('reference', 1);
      const cell = (r: { perSec: number; median: number; worst: number }): string => `${Math.round(r.perSec)} (${Math.round(r.median)}, ${Math.round(r.worst)})`;
      return {
        producers: threads,
        reference: cell(ref),
        'pino-async': cell(at('pino-async', threads)),
        'pino-sync': cell(at('pino-sync', threads)),
        'ref / fastest pino': round(ref.perSec / bestPino(threads)),
        'ref vs 1 producer (best, median)': `${round(ref.perSec / one.perSec)}, ${round(ref.median / one.median)}`,
        'ref CPU ns/record (producers)': `${Math.round(ref.cpuNs)} (${Math.round(ref.producerCpuNs)})`,
        'pino-async CPU ns/record': Math.round(at('pino-async', threads).cpuNs),
        'pino-sync CPU ns/record': Math.round(at('pino-sync', threads).cpuNs),
      };
    }),
  );
  console.log("Seeds' table shapes: delivered records/s to a file, one producer thread");
  console.table(
    (['simple', 'structured', 'error'] as const).map((shape) => ({
      scenario: shape,
      reference: Math.round(shapeAt('reference', shape)),
      'pino-async': Math.round(shapeAt('pino-async', shape)),
      'pino-sync': Math.round(shapeAt('pino-sync', shape)),
      'vs fastest pino': `${round(shapeAt('reference', shape) / Math.max(shapeAt('pino-async', shape), shapeAt('pino-sync', shape)))}x`,
    })),
  );
  const out = {
    node: process.version,
    records: RECORDS,
    filteredNs: filtered,
    latencyUs: { fast, stalled },
    delivered: Object.fromEntries(runs),
    shapes: Object.fromEntries(shapeRuns),
  };
  writeFileSync('bench-results-reference.json', `${JSON.stringify(out, null, 2)}\n`);
  console.log('written: bench-results-reference.json');
  return Object.fromEntries(runs);
}
