/**
 * Benchmarks through any adapter: for each shape of the seeds' table and each producer-thread
 * count, tinybench runs iterations, and each iteration is one child process
 * (harness/child/benchmark-child.ts) that logs through the adapter from worker threads and reads its
 * sink back. Figures are end to end: delivered records per second counts only records in the
 * file after every logger closed.
 */

import { trackProcessGroup } from '../util/cleanup.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { isTypeScriptModule } from '../contract/adapter.js';
import { BENCH_SHAPES, type BenchChildMessage, type BenchmarkResult, type BenchSample, type BenchShape, type BenchSpec } from '../contract/benchmark-protocol.js';
import { errorMessage } from '../util/deadline.js';
import type { ResolvedAdapter } from './resolve.js';

export { BENCH_SHAPES, type BenchmarkResult, type BenchSample, type BenchShape } from '../contract/benchmark-protocol.js';

const CHILD = new URL('../child/benchmark-child.js', import.meta.url).pathname;

export interface BenchmarkOptions {
  readonly adapters: readonly ResolvedAdapter[];
  /** @default BENCH_SHAPES */
  readonly shapes?: readonly BenchShape[];
  /** Producer-thread counts. @default [1, 2] */
  readonly threads?: readonly number[];
  /** Records per producer thread. @default 20000 */
  readonly records?: number;
  /** Iterations (child processes) per case. @default 3 */
  readonly iterations?: number;
  /** Hard deadline of one iteration's process. @default 60000 */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onCase?: (result: BenchmarkResult) => void;
}

export async function runBenchmarks(options: BenchmarkOptions): Promise<BenchmarkResult[]> {
  const shapes = options.shapes ?? BENCH_SHAPES;
  const threadCounts = options.threads ?? [1, 2];
  const records = options.records ?? 20_000;
  const iterations = options.iterations ?? 3;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const results: BenchmarkResult[] = [];
  const workDir = await mkdtemp(join(tmpdir(), 'logjam-bench-'));
  try {
    for (const adapter of options.adapters) {
      const caps = adapter.definition.capabilities;
      const fields = caps.fields === true;
      for (const shape of shapes) {
        for (const threads of threadCounts) {
          if (options.signal?.aborted === true) return results;
          const base = { adapter: adapter.name, shape, threads, recordsPerThread: records, fields };
          let result: BenchmarkResult;
          if (threads > 1 && caps.threads === false) {
            result = { ...base, status: 'skip', reason: 'the adapter cannot run one logger per worker thread', samples: [] };
          } else {
            result = await benchCase(adapter, shape, threads, records, iterations, timeoutMs, workDir, options.signal, base);
          }
          results.push(result);
          options.onCase?.(result);
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return results;
}

async function benchCase(
  adapter: ResolvedAdapter,
  shape: BenchShape,
  threads: number,
  records: number,
  iterations: number,
  timeoutMs: number,
  workDir: string,
  signal: AbortSignal | undefined,
  base: Omit<BenchmarkResult, 'status' | 'samples'>,
): Promise<BenchmarkResult> {
  const samples: BenchSample[] = [];
  let n = 0;
  // One iteration is one whole child process: no warmup, no time target, exactly `iterations`.
  // No signal for tinybench: an abort kills the iteration's process, which ends the task.
  const bench = new Bench({ iterations, time: 0, warmup: false, throws: true });
  const name = `${adapter.name} ${shape} ×${threads}`;
  bench.add(name, async () => {
    const dir = await mkdtemp(join(workDir, `${adapter.name}-${shape}-${threads}-${n++}-`));
    try {
      samples.push(await iteration({ adapterUrl: adapter.url, shape, threads, records, dir }, timeoutMs, signal));
    } finally {
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  });
  try {
    await bench.run();
  } catch (error: unknown) {
    if (error instanceof BenchSkip) return { ...base, status: 'skip', reason: error.message, samples };
    // The first line says what went wrong; stacks of the child's threads would only bury it.
    return { ...base, status: 'error', reason: errorMessage(error).split('\n')[0] ?? '', samples };
  }
  const task = bench.tasks[0]?.result;
  const stats = task !== undefined && 'latency' in task ? task.latency : undefined;
  const sorted = [...samples].sort((a, b) => a.deliveredPerSec - b.deliveredPerSec);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return {
    ...base,
    status: 'ok',
    samples,
    ...(median !== undefined ? { median } : {}),
    ...(stats !== undefined ? { iteration: { mean: round(stats.mean), rme: round(stats.rme), samples: stats.samples?.length ?? samples.length } } : {}),
  };
}

/** One child process; its own process group, killed whole at the deadline. */
function iteration(spec: BenchSpec, timeoutMs: number, signal: AbortSignal | undefined): Promise<BenchSample> {
  const args = [...(isTypeScriptModule(spec.adapterUrl) ? ['--import', import.meta.resolve('tsx')] : []), CHILD, JSON.stringify(spec)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
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

/** The iteration's child said the adapter cannot run here: the case is skipped, with its reason. */
class BenchSkip extends Error {}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
