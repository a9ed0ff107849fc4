/**
 * Runs a plan of (adapter, scenario, seed) runs and builds the report, in plan order.
 *
 * With `jobs` > 1, runs whose verdicts are exact counts run side by side (jobs.ts decides which,
 * and widens their generous hang and exit bounds by the concurrency); a run judged by time
 * (stalls, blocked callers, memory growth) waits until it is alone and runs alone. Each run still
 * gets its own fresh process; a warm pool (pool.ts) starts the next one while the current runs.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import type { Arbitrary } from 'fast-check';
import { runArbitrary, shrinkParams, type RunValue, type ShrinkOptions } from './params.js';
import { failingKinds, writeReplayArtefact } from './replay.js';
import type { ScheduleMode } from '../contract/schedule-spec.js';
import { readFileSync } from 'node:fs';
import { errorMessage } from '../util/deadline.js';
import { findingRates } from '../contract/rates.js';
import type { ResolvedAdapter, ResolvedScenario } from './resolve.js';
import { EMPTY_METRICS, type Environment, type Report, type RunResult } from '../contract/result.js';
import { launchFor, pythonFor, replayFor, superviseRun } from './supervisor.js';
import { WarmPool, type Launch } from './pool.js';
import { boundsFor, judgedByTime, Slots, type Bounds } from './jobs.js';
import type { PlannedRun, Reporter } from '../contract/reporter.js';
import { trackTempDir } from '../util/cleanup.js';

export interface SuiteOptions {
  readonly adapters: readonly ResolvedAdapter[];
  readonly scenarios: readonly ResolvedScenario[];
  readonly seeds: readonly number[];
  /** fast-check path to shrunk parameters (one adapter, one scenario). */
  readonly path?: string;
  /** Free-running (default), seeded delays at scheduling points (`pct`), or one thread at a time (`controlled`). */
  readonly scheduleMode?: ScheduleMode;
  /** Shrink each failing run's parameters (and controlled schedule) before reporting it. */
  readonly shrink?: boolean | ShrinkOptions;
  /** Exact parameters and schedule for every run (a replay), instead of drawing them from the seed. */
  readonly value?: RunValue;
  /** Where each failing run's replay file goes; none are written without it. */
  readonly replayDir?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** @default 2048 */
  readonly memoryMb?: number;
  readonly keepFiles?: boolean;
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  /** The command line that produced the report, for the environment block. */
  readonly command?: string;
  /** The runs to make, in order. @default every adapter × scenario × seed (`planRuns`) */
  readonly plan?: readonly SuiteRun[];
  /** Asked before each run starts; a reason skips the run (`logjam ci` when its budget runs out). */
  readonly beforeRun?: (run: PlannedRun) => string | undefined;
  /**
   * How many runs judged by exact counts may run at once; runs judged by time always run alone.
   * @defaultValue 1
   */
  readonly jobs?: number;
  /** Start each run's process ahead, with its modules loaded (pool.ts). @defaultValue true */
  readonly warm?: boolean;
  /** Each run's hang window, exit and close bounds. @defaultValue the supervisor's */
  readonly bounds?: Bounds;
}

export interface SuiteRun {
  readonly adapter: ResolvedAdapter;
  readonly scenario: ResolvedScenario;
  readonly seed: number;
}

/** Every adapter × scenario × seed, in that nesting order: the order a report lists its runs. */
export function planRuns(adapters: readonly ResolvedAdapter[], scenarios: readonly ResolvedScenario[], seeds: readonly number[]): SuiteRun[] {
  return adapters.flatMap((adapter) => scenarios.flatMap((scenario) => seeds.map((seed) => ({ adapter, scenario, seed }))));
}

export async function runSuite(options: SuiteOptions): Promise<Report> {
  const started = Date.now();
  const reporters = options.reporters ?? [];
  const workDir = await mkdtemp(join(tmpdir(), 'logjam-'));
  // A second Ctrl-C removes it even if this function never gets to its finally.
  const untrack = options.keepFiles === true ? () => undefined : trackTempDir(workDir);
  const plan = options.plan ?? planRuns(options.adapters, options.scenarios, options.seeds);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const pool = options.warm === false ? undefined : new WarmPool(jobs);
  const results: (RunResult | undefined)[] = new Array<RunResult | undefined>(plan.length);
  const slots = new Slots(jobs);
  /** Plan entries a warm process was started for, so none gets two. */
  let preparedUpTo = -1;
  /** The next run that will need a process: not skipped for its adapter's capabilities. */
  const nextLaunch = (after: number): Launch | undefined => {
    for (let i = Math.max(after, preparedUpTo) + 1; i < plan.length; i++) {
      const run = plan[i] as SuiteRun;
      if (run.scenario.skip?.(run.adapter.definition.capabilities, run.adapter.definition) !== undefined) continue;
      preparedUpTo = i;
      return launchFor({ adapter: run.adapter, scenario: run.scenario, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB });
    }
    return undefined;
  };
  const running = new Set<Promise<void>>();
  const aborted = (): boolean => options.signal?.aborted === true;
  try {
    for (const [index, { adapter, scenario, seed }] of plan.entries()) {
      if (aborted()) break;
      const alone = jobs > 1 && judgedByTime(scenario);
      // A run judged by time waits until nothing else runs and no warm process is loading.
      await slots.acquire(alone);
      if (alone) await pool?.loaded();
      if (aborted()) {
        slots.release(alone);
        break;
      }
      const planned: PlannedRun = { index, total: plan.length, adapter: adapter.name, scenario: scenario.name, seed };
      for (const r of reporters) r.onRunStart?.(planned);
      const concurrency = alone ? 1 : jobs;
      // Nothing is started beside a run judged by time; its successor gets a cold process. A run
      // its adapter's capabilities skip starts no process, so it starts none for the next run
      // either: the next run that does start one does (else the runs after a skipped one, their
      // warm processes started by skipped runs and pushed out of the pool, all started cold).
      const skipped = scenario.skip?.(adapter.definition.capabilities, adapter.definition) !== undefined;
      const next = alone || skipped || pool === undefined ? undefined : nextLaunch(index);
      const task = runOne({ adapter, scenario, seed, workDir, options, planned, reporters, concurrency, ...(pool !== undefined ? { pool } : {}), ...(next !== undefined ? { next } : {}) })
        .then((result) => {
          results[index] = result;
          for (const r of reporters) r.onRunEnd?.(planned, result);
        })
        .finally(() => {
          slots.release(alone);
          running.delete(task);
        });
      running.add(task);
    }
    await Promise.all(running);
  } finally {
    pool?.close();
    await Promise.allSettled(running);
    if (options.keepFiles !== true) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    untrack();
  }
  // In plan order; a run never started (aborted) is not in the report, as before.
  const runs = results.filter((r): r is RunResult => r !== undefined);
  return buildReport(runs, started, options.command ?? '', reporters);
}

const DEFAULT_MEMORY_MB = 2048;

/** The report over `runs`, with counts; reporters' `onEnd` see it. */
export function buildReport(runs: readonly RunResult[], started: number, command: string, reporters: readonly Reporter[] = []): Report {
  const report: Report = {
    schema: 'logjam.report/1',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    environment: environment(command),
    runs,
    summary: summaryOf(runs),
    rates: findingRates(runs),
  };
  for (const r of reporters) r.onEnd?.(report);
  return report;
}

export function summaryOf(runs: readonly RunResult[]): Report['summary'] {
  const count = (status: RunResult['status']): number => runs.filter((r) => r.status === status).length;
  return { pass: count('pass'), fail: count('fail'), skip: count('skip'), error: count('error') };
}

/** One planned run and everything needed to supervise it (again, when shrinking). */
interface RunTarget {
  readonly adapter: ResolvedAdapter;
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly workDir: string;
  readonly options: SuiteOptions;
  readonly planned: PlannedRun;
  readonly reporters: readonly Reporter[];
  /** Runs under way at once beside this one, itself included: its bounds are widened by it. */
  readonly concurrency?: number;
  readonly pool?: WarmPool;
  /** The run to start a warm process for once this one's process is under way. */
  readonly next?: Launch;
}

async function runOne(target: RunTarget): Promise<RunResult> {
  const { adapter, scenario, seed, options, planned } = target;
  const mode = options.scheduleMode ?? 'free';
  const replay = replayFor(adapter, scenario.ref, seed, options.path, mode);
  const base = { adapter: adapter.name, scenario: scenario.name, seed, findings: [], metrics: EMPTY_METRICS, replay };
  const skip = scenario.skip?.(adapter.definition.capabilities, adapter.definition) ?? options.beforeRun?.(planned);
  if (skip !== undefined) return { ...base, status: 'skip', reason: skip };
  let result: RunResult;
  try {
    result = await superviseOnce(target, options.value ?? {});
  } catch (error: unknown) {
    // The supervisor itself failed: a harness bug. Keep the other runs' results.
    return { ...base, status: 'error', reason: `harness bug while supervising this run: ${errorMessage(error)}` };
  }
  if (result.status !== 'fail') return result;
  if (options.shrink !== undefined && options.shrink !== false && options.path === undefined && options.value === undefined) {
    // Shrinking reruns start no warm process for the plan's next run: the first run did.
    const { next: _next, ...again } = target;
    result = await shrinkRun(result, again);
  }
  if (options.replayDir === undefined) return result;
  const python = pythonFor(adapter);
  const file = writeReplayArtefact(result, options.replayDir, {
    ...(result.schedule !== undefined ? { schedule: result.schedule.spec } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(python !== undefined ? { python } : {}),
  });
  return { ...result, replay: { ...result.replay, file, command: `npx logjam replay ${relativeIfInside(file)}` } };
}

/**
 * Shrinks a failing run: fast-check proposes smaller parameters (and, in a controlled run,
 * fewer and earlier preemptions); a candidate is kept when it fails with every kind the
 * original failed with. Answers the smallest failing run, with the path that names it.
 */
async function shrinkRun(original: RunResult, target: RunTarget): Promise<RunResult> {
  const { adapter, scenario, seed, options, planned, reporters } = target;
  const kinds = failingKinds(original);
  const mode = options.scheduleMode ?? 'free';
  const candidates = new Map<string, RunResult>();
  for (const r of reporters) r.onShrink?.(planned, { phase: 'start', kinds });
  const outcome = await shrinkParams(
    runArbitrary(scenario.params as Arbitrary<unknown>, mode, seed),
    seed,
    async (value) => {
      if (options.signal?.aborted === true) return false;
      let run: RunResult;
      try {
        run = await superviseOnce(target, value);
      } catch {
        return false;
      }
      const sameWay = (r: RunResult): boolean => r.status === 'fail' && kinds.every((k) => failingKinds(r).includes(k));
      // A candidate is kept only if it fails the same way twice: a shrunk failure must replay.
      const again = sameWay(run) ? await superviseOnce(target, value).catch(() => undefined) : undefined;
      const failed = again !== undefined && sameWay(again);
      if (failed) candidates.set(JSON.stringify(value), run);
      for (const r of reporters) r.onShrink?.(planned, { phase: 'step', kinds, failed, params: value.params });
      return failed;
    },
    typeof options.shrink === 'object' ? options.shrink : {},
  );
  if (outcome === undefined) {
    return { ...original, shrink: { runs: candidates.size, shrinks: 0, reproduced: false, original: original.params } };
  }
  const smallest = candidates.get(JSON.stringify(outcome.params)) ?? original;
  return {
    ...smallest,
    replay: replayFor(adapter, scenario.ref, seed, outcome.path, mode),
    shrink: { runs: outcome.runs, shrinks: outcome.shrinks, reproduced: true, original: original.params },
  };
}

async function superviseOnce(target: RunTarget, value: Partial<RunValue>): Promise<RunResult> {
  const { adapter, scenario, seed, workDir, options, planned, reporters } = target;
  {
    return await superviseRun({
      ...boundsFor(target.concurrency ?? 1, options.bounds),
      ...(target.pool !== undefined ? { pool: target.pool } : {}),
      ...(target.next !== undefined ? { next: target.next } : {}),
      adapter,
      scenario,
      seed,
      ...(options.path !== undefined ? { path: options.path } : {}),
      ...(options.scheduleMode !== undefined ? { scheduleMode: options.scheduleMode } : {}),
      ...('params' in value ? { params: value.params } : {}),
      ...(value.schedule !== undefined ? { schedule: value.schedule } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
      memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
      workDir,
      ...(options.keepFiles !== undefined ? { keepFiles: options.keepFiles } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      onEvent: (event) => {
        for (const r of reporters) r.onEvent?.(planned, event);
      },
    });
  }
}

/** A replay command names the file as the user would type it from here. */
function relativeIfInside(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function environment(command: string): Environment {
  const cpu = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    logjam: logjamVersion(),
    command,
  };
}

function logjamVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
