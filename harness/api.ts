/**
 * The programmatic API, for library authors who want logjam inside their own test suite: run a
 * scenario against an adapter and get the result model back, exactly what `logjam run --json`
 * writes for that run. Nothing here prints or exits.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './contract/errors.js';
import { freshSeed } from './util/random.js';
import { resolveAdapter, resolveScenario } from './cli/catalogue.js';
import { EMPTY_METRICS, type Report, type RunResult } from './contract/result.js';
import { runSuite } from './run/suite.js';
import { replayFor, superviseRun } from './run/supervisor.js';
import { resolveTargets } from './cli/commands/shared.js';
import type { ScheduleMode } from './contract/schedule-spec.js';

export interface RunScenarioOptions {
  /** A bundled adapter's name (`pino-sync`) or a path to your adapter module (`./my-adapter.ts`), from `cwd`. */
  readonly adapter: string;
  /** A scenario's name, as `logjam list` shows them. */
  readonly scenario: string;
  /** @default a fresh random seed, in the result's `replay` */
  readonly seed?: number;
  /** The scenario's parameters, plain JSON, instead of the seed's (e.g. fewer records in a unit test). */
  readonly params?: unknown;
  /** Free-running, seeded PCT-style delays at scheduling points (`pct`), or one thread at a time (`controlled`). @default 'free' */
  readonly scheduleMode?: ScheduleMode;
  /** Hard deadline of the run's process. @default 60000 */
  readonly timeoutMs?: number;
  /** Resident memory cap of the run's process, in MB. @default 2048 */
  readonly memoryMb?: number;
  /** Where a relative adapter path starts. @default process.cwd() */
  readonly cwd?: string;
  /** Keep the run's scratch folder (sink files) and name it in the result. @default false */
  readonly keepFiles?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Runs one scenario against one adapter in its own supervised child process and returns its
 * result: `status` (`pass` | `fail` | `skip` | `error`), `findings` with evidence, `metrics`
 * and `replay`. A finding never throws; an unknown adapter or scenario does (with the names
 * that exist).
 */
export async function runScenario(options: RunScenarioOptions): Promise<RunResult> {
  const adapter = await resolveAdapter(options.adapter, options.cwd ?? process.cwd());
  const scenario = await resolveScenario(options.scenario);
  const seed = options.seed ?? freshSeed();
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) throw new UsageError(`Expected \`seed\` to be an integer from 0 to 2147483647, got \`${String(seed)}\``);
  const skip = scenario.skip?.(adapter.definition.capabilities);
  if (skip !== undefined) {
    return { adapter: adapter.name, scenario: scenario.name, seed, status: 'skip', reason: skip, findings: [], metrics: EMPTY_METRICS, replay: replayFor(adapter, scenario.name, seed, undefined, options.scheduleMode) };
  }
  const workDir = await mkdtemp(join(tmpdir(), 'logjam-api-'));
  try {
    return await superviseRun({
      adapter,
      scenario,
      seed,
      ...(options.params !== undefined ? { params: options.params } : {}),
      ...(options.scheduleMode !== undefined ? { scheduleMode: options.scheduleMode } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
      memoryMb: options.memoryMb ?? 2048,
      workDir,
      keepFiles: options.keepFiles === true,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  } finally {
    if (options.keepFiles !== true) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export interface RunScenariosOptions {
  /** Bundled names, `reference-bug-*` patterns or paths. @default the bundled loggers */
  readonly adapters?: readonly string[];
  /** @default every scenario */
  readonly scenarios?: readonly string[];
  /** @default [a fresh random seed] */
  readonly seeds?: readonly number[];
  /** @default 60000 */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly signal?: AbortSignal;
}

/** Every adapter × scenario × seed, one after another: the report `logjam run --json` writes. */
export async function runScenarios(options: RunScenariosOptions = {}): Promise<Report> {
  const { adapters, scenarios } = await resolveTargets(options.adapters?.slice(), options.scenarios?.slice(), options.cwd ?? process.cwd());
  return runSuite({
    adapters,
    scenarios,
    seeds: options.seeds ?? [freshSeed()],
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    command: 'runScenarios()',
  });
}


export { Ledger } from './ledger/ledger.js';
export type { Reconciliation } from './ledger/ledger.js';
export { resolveAdapter, resolveScenario } from './cli/catalogue.js';
export type { ResolvedAdapter, ResolvedScenario } from './run/resolve.js';
export { runSuite } from './run/suite.js';
export type { SuiteOptions } from './run/suite.js';
export { superviseRun } from './run/supervisor.js';
export type { SuperviseOptions } from './run/supervisor.js';
export * from './index.js';
