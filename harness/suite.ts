/**
 * Runs a plan of (adapter, scenario, seed) runs one after another and builds the report.
 * Runs are sequential on purpose: on two cores, two runs side by side would measure each other.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { errorMessage } from './deadline.js';
import { findingRates } from './rates.js';
import type { ResolvedAdapter } from './registry.js';
import { EMPTY_METRICS, type Environment, type Report, type RunResult } from './result.js';
import type { AnyScenario } from './scenario.js';
import { replayFor, superviseRun } from './supervisor.js';
import type { PlannedRun, Reporter } from '../reports/reporter.js';

export interface SuiteOptions {
  readonly adapters: readonly ResolvedAdapter[];
  readonly scenarios: readonly AnyScenario[];
  readonly seeds: readonly number[];
  /** fast-check path to shrunk parameters (one adapter, one scenario). */
  readonly path?: string;
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
}

export interface SuiteRun {
  readonly adapter: ResolvedAdapter;
  readonly scenario: AnyScenario;
  readonly seed: number;
}

/** Every adapter × scenario × seed, in that nesting order: the order a report lists its runs. */
export function planRuns(adapters: readonly ResolvedAdapter[], scenarios: readonly AnyScenario[], seeds: readonly number[]): SuiteRun[] {
  return adapters.flatMap((adapter) => scenarios.flatMap((scenario) => seeds.map((seed) => ({ adapter, scenario, seed }))));
}

export async function runSuite(options: SuiteOptions): Promise<Report> {
  const started = Date.now();
  const reporters = options.reporters ?? [];
  const workDir = await mkdtemp(join(tmpdir(), 'logjam-'));
  const runs: RunResult[] = [];
  const plan = options.plan ?? planRuns(options.adapters, options.scenarios, options.seeds);
  try {
    for (const [index, { adapter, scenario, seed }] of plan.entries()) {
      if (options.signal?.aborted === true) break;
      const planned: PlannedRun = { index, total: plan.length, adapter: adapter.name, scenario: scenario.name, seed };
      for (const r of reporters) r.onRunStart?.(planned);
      const result = await runOne(adapter, scenario, seed, workDir, options, planned, reporters);
      runs.push(result);
      for (const r of reporters) r.onRunEnd?.(planned, result);
    }
  } finally {
    if (options.keepFiles !== true) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  return buildReport(runs, started, options.command ?? '', reporters);
}

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

async function runOne(
  adapter: ResolvedAdapter,
  scenario: AnyScenario,
  seed: number,
  workDir: string,
  options: SuiteOptions,
  planned: PlannedRun,
  reporters: readonly Reporter[],
): Promise<RunResult> {
  const replay = replayFor(adapter.ref, scenario.name, seed, options.path);
  const base = { adapter: adapter.name, scenario: scenario.name, seed, findings: [], metrics: EMPTY_METRICS, replay };
  const skip = scenario.skip?.(adapter.definition.capabilities) ?? options.beforeRun?.(planned);
  if (skip !== undefined) return { ...base, status: 'skip', reason: skip };
  try {
    return await superviseRun({
      adapter,
      scenario,
      seed,
      ...(options.path !== undefined ? { path: options.path } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
      memoryMb: options.memoryMb ?? 2048,
      workDir,
      ...(options.keepFiles !== undefined ? { keepFiles: options.keepFiles } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      onEvent: (event) => {
        for (const r of reporters) r.onEvent?.(planned, event);
      },
    });
  } catch (error: unknown) {
    // The supervisor itself failed: a harness bug. Keep the other runs' results.
    return { ...base, status: 'error', reason: `harness bug while supervising this run: ${errorMessage(error)}` };
  }
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
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
