/**
 * Benchmarks through any adapter, measuring the logger rather than the harness around it. For
 * each shape of the seeds' table and each producer-thread count, every iteration is one child
 * process (harness/child/benchmark-child.ts) that logs through the adapter from worker threads
 * and reads its sink back; only records in the file count.
 *
 * Iterations are sized by time: a calibration process per adapter and shape measures the
 * calls' rate, each iteration makes twice the records that rate needs, and each producer thread
 * logs until it has logged for `minLoggingMs`: the process's fixed costs and the logger's
 * shutdown are not what is measured. Delivered throughput
 * (records in the file over the time to the last write), shutdown time (last call to last
 * close) and CPU per delivered record are separate figures, each with its spread over the
 * iterations. Iterations run in rounds, every case once per round, so load that comes and goes
 * on a shared machine hits every logger alike.
 */

import { runNodeBinary } from '../util/run-node.js';
import { trackProcessGroup } from '../util/cleanup.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTypeScriptModule } from '../contract/adapter.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import {
  BENCH_SHAPES,
  SPREAD_FIGURES,
  type BenchChildMessage,
  type BenchmarkResult,
  type BenchSample,
  type BenchShape,
  type BenchSpec,
  type Spread,
  type SpreadFigure,
} from '../contract/benchmark-protocol.js';
import { errorMessage } from '../util/deadline.js';
import type { ResolvedAdapter } from './resolve.js';

export { BENCH_SHAPES, type BenchmarkResult, type BenchSample, type BenchShape, type Spread } from '../contract/benchmark-protocol.js';

const CHILD = new URL('../child/benchmark-child.js', import.meta.url).pathname;

/** The calibration's first size, records per thread. */
const CALIBRATION_RECORDS = 20_000;
/**
 * The most records per producer thread: each is a message made before the gate (so only the
 * call is timed), about 120 bytes of heap apiece. A logger whose calls are faster than this
 * fills in `minLoggingMs` logs less than `minLoggingMs`, and its result says it was capped.
 */
export const MAX_RECORDS_PER_THREAD = 1_500_000;
/**
 * Records made per thread: the calibrated rate times `minLoggingMs`, times this margin. Each
 * thread stops once it has logged for `minLoggingMs`, so the margin only covers a calibration
 * that ran at a slow moment: an iteration at twice its rate still logs long enough.
 */
const MARGIN = 2;

export interface BenchmarkOptions {
  readonly adapters: readonly ResolvedAdapter[];
  /** @defaultValue BENCH_SHAPES */
  readonly shapes?: readonly BenchShape[];
  /** Producer-thread counts. @defaultValue [1, 2] */
  readonly threads?: readonly number[];
  /** Size every iteration to at least this much logging, by a calibration run. @defaultValue 1000 */
  readonly minLoggingMs?: number;
  /** Records per producer thread, fixed: no calibration, every record logged (`minLoggingMs` is then unused). */
  readonly records?: number;
  /** Iterations (child processes) per case. @defaultValue 3 */
  readonly iterations?: number;
  /** Hard deadline of one iteration's process. @defaultValue 60000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Each case once its last iteration is done. */
  readonly onCase?: (result: BenchmarkResult) => void;
  /** Progress: a calibration or an iteration done, out of all there are. */
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

interface Case {
  readonly adapter: ResolvedAdapter;
  readonly shape: BenchShape;
  readonly threads: number;
  readonly base: Omit<BenchmarkResult, 'status' | 'samples' | 'recordsPerThread' | 'sizing'>;
  records?: number;
  sizing?: BenchmarkResult['sizing'];
  samples: BenchSample[];
  failure?: string;
  /** The iteration's child said the adapter cannot run here. */
  skip?: string;
}

export async function runBenchmarks(options: BenchmarkOptions): Promise<BenchmarkResult[]> {
  const shapes = options.shapes ?? BENCH_SHAPES;
  const threadCounts = options.threads ?? [1, 2];
  const iterations = options.iterations ?? 3;
  const minLoggingMs = options.minLoggingMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const aborted = (): boolean => options.signal?.aborted === true;
  const results = new Map<Case, BenchmarkResult>();
  const cases: Case[] = [];
  const order: (Case | BenchmarkResult)[] = [];
  for (const adapter of options.adapters) {
    const caps = adapter.definition.capabilities;
    for (const shape of shapes) {
      for (const threads of threadCounts) {
        const base = { adapter: adapter.name, shape, threads, fields: caps.fields === true };
        const skip = threads > 1 && caps.threads === false ? 'the adapter cannot run one logger per worker thread' : undefined;
        if (skip !== undefined) {
          order.push({ ...base, recordsPerThread: 0, sizing: { by: 'records' }, status: 'skip', reason: skip, samples: [] });
          continue;
        }
        const c: Case = { adapter, shape, threads, base, samples: [] };
        if (options.records !== undefined) {
          c.records = options.records;
          c.sizing = { by: 'records' };
        }
        cases.push(c);
        order.push(c);
      }
    }
  }
  /** Per adapter and shape: the calibrated size, or why calibration failed. */
  const sizings = new Map<string, { records: number; capped: boolean } | { skip: string } | string>();
  const calibrations = options.records === undefined ? new Set(cases.map((c) => `${c.adapter.name}\0${c.shape}`)).size : 0;
  const total = calibrations + cases.length * iterations;
  let progress = 0;
  const step = (what: string): void => options.onProgress?.(++progress, total, what);
  const workDir = await mkdtemp(join(tmpdir(), 'logjam-bench-'));
  let n = 0;
  const once = async (c: Case, records: number, threads: number, timed: boolean): Promise<BenchSample> => {
    const dir = await mkdtemp(join(workDir, `${c.adapter.name}-${c.shape}-${threads}-${n++}-`));
    try {
      // The Python driver logs every record it is given (the calibrated twice-the-rate size).
      const bounded = timed && !isPythonAdapterUrl(c.adapter.url);
      const spec: BenchSpec = { adapterUrl: c.adapter.url, shape: c.shape, threads, records, ...(bounded ? { minLoggingMs } : {}), dir };
      return await iteration(spec, timeoutMs, options.signal);
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
  try {
    // Calibration: one process per adapter and shape, at one producer thread; every thread count
    // logs that many records per thread (more threads on the same cores only take longer).
    for (const c of cases) {
      if (aborted()) break;
      if (c.records !== undefined) continue;
      const key = `${c.adapter.name}\0${c.shape}`;
      let sizing = sizings.get(key);
      if (sizing === undefined) {
        try {
          sizing = await calibrate((records) => once(c, records, 1, false), minLoggingMs);
        } catch (error: unknown) {
          sizing = error instanceof BenchSkip ? { skip: error.message } : `calibration failed: ${firstLine(error)}`;
        }
        sizings.set(key, sizing);
        step(`calibrated ${c.adapter.name} ${c.shape}`);
      }
      if (typeof sizing === 'string') c.failure = sizing;
      else if ('skip' in sizing) c.skip = sizing.skip;
      else {
        c.records = sizing.records;
        c.sizing = { by: 'time', minLoggingMs, capped: sizing.capped };
      }
    }
    // Rounds: every case once per round, so a spell of load lands on all of them.
    for (let round = 0; round < iterations && !aborted(); round++) {
      for (const c of cases) {
        if (aborted()) break;
        if (c.failure === undefined && c.skip === undefined && c.records !== undefined) {
          try {
            c.samples.push(await once(c, c.records, c.threads, c.sizing?.by === 'time'));
          } catch (error: unknown) {
            if (error instanceof BenchSkip) c.skip = error.message;
            // The first line says what went wrong; stacks of the child's threads would only bury it.
            else c.failure = firstLine(error);
          }
        }
        step(`${c.adapter.name} ${c.shape} ×${c.threads}, round ${round + 1}`);
        if (round === iterations - 1 || c.failure !== undefined || c.skip !== undefined) {
          if (!results.has(c)) {
            const result = finish(c);
            results.set(c, result);
            options.onCase?.(result);
          }
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  // Aborted cases report what they gathered; skipped ones say why.
  return order.flatMap((entry) => ('status' in entry ? [entry] : [results.get(entry) ?? finish(entry)]));
}

/**
 * Records per thread for at least `minLoggingMs` of logging: one run at a size, scaled by the
 * calls' rate it measured. A run too short to time well (under 100 ms) is grown tenfold first.
 */
async function calibrate(run: (records: number) => Promise<BenchSample>, minLoggingMs: number): Promise<{ records: number; capped: boolean }> {
  let records = CALIBRATION_RECORDS;
  for (let attempt = 0; attempt < 4; attempt++) {
    const sample = await run(records);
    const perMs = records / Math.max(sample.loggingMs, 0.01);
    const wanted = Math.ceil(perMs * minLoggingMs * MARGIN);
    if (sample.loggingMs >= 100 || records >= MAX_RECORDS_PER_THREAD) {
      return { records: Math.min(MAX_RECORDS_PER_THREAD, Math.max(records, wanted)), capped: wanted > MAX_RECORDS_PER_THREAD };
    }
    records = Math.min(MAX_RECORDS_PER_THREAD, records * 10, wanted);
  }
  return { records, capped: false };
}

function finish(c: Case): BenchmarkResult {
  const base = { ...c.base, recordsPerThread: c.records ?? 0, sizing: c.sizing ?? { by: 'records' as const } };
  if (c.failure !== undefined) return { ...base, status: 'error', reason: c.failure, samples: c.samples };
  if (c.skip !== undefined) return { ...base, status: 'skip', reason: c.skip, samples: [] };
  if (c.samples.length === 0) return { ...base, status: 'skip', reason: 'interrupted before its first iteration', samples: [] };
  const byRate = [...c.samples].sort((a, b) => a.deliveredPerSec - b.deliveredPerSec);
  const median = byRate[Math.floor((byRate.length - 1) / 2)] as BenchSample;
  const spread = Object.fromEntries(SPREAD_FIGURES.map((f) => [f, spreadOf(c.samples.map((s) => s[f]))])) as Record<SpreadFigure, Spread>;
  return { ...base, status: 'ok', samples: c.samples, median, spread };
}

/** Min, median (the middle one, or the mean of the middle two) and max. */
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  const median = ((sorted[Math.floor(mid)] ?? NaN) + (sorted[Math.ceil(mid)] ?? NaN)) / 2;
  return { min: sorted[0] ?? NaN, median: Math.round(median * 100) / 100, max: sorted[sorted.length - 1] ?? NaN };
}

/** The iteration's child said the adapter cannot run here: the case is skipped, with its reason. */
class BenchSkip extends Error {}

function firstLine(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}

/** One child process; its own process group, killed whole at the deadline. */
function iteration(spec: BenchSpec, timeoutMs: number, signal: AbortSignal | undefined): Promise<BenchSample> {
  const args = [...(isTypeScriptModule(spec.adapterUrl) ? ['--import', import.meta.resolve('tsx')] : []), CHILD, JSON.stringify(spec)];
  // On the Node release `--node` pinned, like a run's process.
  const child = spawn(runNodeBinary(), args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
  // A second Ctrl-C ends the group even if this function never gets to.
  const untrack = trackProcessGroup(child.pid);
  child.once('exit', untrack);
  let out = '';
  let err = '';
  child.stdio[3]?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-4096)));
  let why: string | undefined;
  const kill = (reason: string): void => {
    why ??= reason;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => kill(`did not finish within ${timeoutMs} ms`), timeoutMs);
  const onAbort = (): void => kill('interrupted');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<BenchSample>((resolve, reject) => {
    child.once('error', (error) => reject(error));
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      const message = line !== undefined ? (JSON.parse(line) as BenchChildMessage) : undefined;
      if (message?.type === 'result') resolve(message.sample);
      else if (message?.type === 'skip') reject(new BenchSkip(message.reason));
      else reject(new Error(`${why ?? `the benchmark process ended with ${sig ?? `code ${code}`}`}: ${message?.type === 'error' ? message.message : err.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}

