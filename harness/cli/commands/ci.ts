/**
 * `logjam ci`: the pull-request gate. Fixed seeds, a time budget for the whole suite, an exit
 * code per docs/architecture.md ("Exit codes"), and the report files CI systems read (JUnit XML,
 * the JSON model, a Markdown summary; annotations and the job summary on GitHub). `--shard i/n`
 * takes every n-th planned run so a CI system's own job matrix can split the suite;
 * `logjam merge-reports` joins the shards' reports back into one.
 */

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { chalkFor, terminalReporter, type PlannedRun, type Reporter } from '../../../reports/index.js';
import { reportToGitHub } from '../../../reports/github.js';
import { parseDuration, parseTimeout, parseInteger } from '../../util/duration.js';
import { ModuleLoadError, UsageError } from '../../contract/errors.js';
import { EMPTY_METRICS, EXIT, type Report, type RunResult, type SuiteFingerprint } from '../../contract/result.js';
import { buildReport, planRuns, runSuite, type SuiteRun } from '../../run/suite.js';
import { replayFor } from '../../run/supervisor.js';
import { defaultJobs } from '../../run/jobs.js';
import { parse, requireNonEmpty, resolveTargets, stdout, suiteExitCode, writeReportFiles } from './shared.js';
import { watchStops } from '../signals.js';
import { prepareOutDir } from '../output-paths.js';
import { pinNode } from './pins.js';

/**
 * One seed per adapter and scenario in 60 s. Measured with `time npx logjam ci` on the 2-core
 * development machine: 14 loggers × 5 scenarios took 57 s at a load average of 19; the suite has
 * since grown to 16 × 17 (272 runs), of which 33 fit in the 60 s, the rest reported as skipped
 * for the budget. Larger suites shard (`--shard`) or raise `--budget`.
 */
export const CI_DEFAULTS = { seed: 1, runs: 1, budgetMs: 60_000, timeoutMs: 30_000, out: 'logjam-report' } as const;

const OPTIONS = {
  adapter: { type: 'string', short: 'a', multiple: true },
  scenario: { type: 'string', short: 's', multiple: true },
  seed: { type: 'string' },
  runs: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  budget: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  shard: { type: 'string' },
  out: { type: 'string' },
  config: { type: 'string' },
  node: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam ci [options]

The pull-request gate: a fixed-seed suite inside a time budget. Writes report.json (the result
model), junit.xml, summary.md and a replay file per failing run (replays/) to --out; with GITHUB_ACTIONS=true it also prints annotations
and appends the summary to $GITHUB_STEP_SUMMARY.

Options:
  -a, --adapter NAME|PATH  adapters, repeatable or comma-separated (default: the bundled loggers)
  -s, --scenario NAME      scenarios, repeatable or comma-separated (default: all)
      --seed N             first seed (default: ${CI_DEFAULTS.seed}); fixed, so every CI run is the same suite
      --runs N             seeds per adapter and scenario: N, N+1, ... (default: ${CI_DEFAULTS.runs})
  -j, --jobs N             runs judged by exact counts side by side, N at a time; runs judged by
                           time always run alone (default: the machine's cores, ${defaultJobs()})
      --budget DURATION    time budget of the whole suite, e.g. 60s or 5m (default: ${CI_DEFAULTS.budgetMs / 1000}s);
                           a run that cannot fit in what is left is not started and is
                           reported as skipped with the reason
      --timeout DURATION   hard deadline of each run (default: ${CI_DEFAULTS.timeoutMs / 1000}s)
      --memory MB          resident memory cap of each run's process (default: 2048)
      --shard I/N          run only shard I of N of the planned runs (e.g. 2/4), for a CI job
                           matrix; join the shards with \`logjam merge-reports\`
      --out DIR            where the report files go (default: ${CI_DEFAULTS.out})
      --node VERSION       run each run's process on this Node release (22.12.0, or 22: its
                           newest); see \`logjam run --help\`
      --config FILE        the project config (default: logjam.config.ts, .mts, .js, .mjs or .json
                           in this folder, if there is one); flags override it key by key
  -h, --help               show this help

Exit codes: 0 all passed (skips included), 1 findings failed a run, 2 usage error, 3 internal
harness error or interrupted.
`;

export const ciCommand = {
  run: ci,
};

async function ci(args: string[]): Promise<number> {
  const started = Date.now();
  const { values } = parse(args, OPTIONS, 'ci');
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  // The config's loader (and zod) load only once there is something to run.
  const { boundsOf, durationMs, loadProjectConfig } = await import('../config-file.js');
  const project = await loadProjectConfig(values.config, process.cwd());
  const config = project?.config ?? {};
  const seed = values.seed === undefined ? (config.seed ?? CI_DEFAULTS.seed) : parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  const runs = values.runs === undefined ? (config.runs ?? CI_DEFAULTS.runs) : parseInteger(values.runs, '--runs', 1, 100_000);
  // The config's exact seeds, unless a flag chose seeds.
  const seeds = values.seed === undefined && values.runs === undefined && config.seeds !== undefined ? config.seeds : Array.from({ length: runs }, (_, i) => seed + i);
  const jobs = values.jobs === undefined ? (config.jobs ?? defaultJobs()) : parseInteger(values.jobs, '--jobs', 1, 256);
  const budgetMs = values.budget === undefined ? (config.budget !== undefined ? durationMs(config.budget) : CI_DEFAULTS.budgetMs) : parseDuration(values.budget, '--budget');
  const timeoutMs = values.timeout === undefined ? (config.timeouts?.run !== undefined ? durationMs(config.timeouts.run) : CI_DEFAULTS.timeoutMs) : parseTimeout(values.timeout);
  const memoryMb = values.memory === undefined ? (config.memory ?? 2048) : parseInteger(values.memory, '--memory', 64, 1 << 20);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  // Checked and created before anything runs: a bad --out never throws the suite's results away.
  const out = prepareOutDir(requireNonEmpty(values.out, '--out') ?? (project !== undefined && config.out !== undefined ? resolve(project.dir, config.out) : CI_DEFAULTS.out), '--out');
  const replayDir = prepareOutDir(join(out, 'replays'), '--out');
  const node = await pinNode(values.node);
  const command = `logjam ${['ci', ...args].join(' ')}`;
  const configDir = project?.dir ?? process.cwd();
  let targets: Awaited<ReturnType<typeof resolveTargets>>;
  try {
    // Paths from the config are relative to it; paths from flags to the working directory.
    const dirs = { adapters: values.adapter !== undefined ? process.cwd() : configDir, scenarios: values.scenario !== undefined ? process.cwd() : configDir };
    targets = await resolveTargets(values.adapter ?? config.adapters, values.scenario ?? config.scenarios, dirs, { timeoutMs, memoryMb });
  } catch (error: unknown) {
    // A user's module that could not even be read ran nothing: the gate says so in its report
    // too (a CI system reads the files, not the log), and exits 2.
    if (!(error instanceof ModuleLoadError)) throw error;
    const run: RunResult = {
      adapter: error.kind === 'adapter' ? error.ref : '(not loaded)',
      scenario: error.kind === 'scenario' ? error.ref : '(not run)',
      seed,
      status: 'error',
      reason: error.message,
      findings: [],
      metrics: EMPTY_METRICS,
      replay: replayFor({ ref: error.kind === 'adapter' ? error.ref : '-', url: '' }, error.kind === 'scenario' ? error.ref : '-', seed),
    };
    writeReportFiles(buildReport([run], started, command), out, 'logjam ci');
    throw error;
  }
  const { adapters, scenarios } = targets;

  const all = spreadForBudget(planRuns(adapters, scenarios, seeds), adapters.length, scenarios.length);
  const plan = shard === undefined ? all : shardOf(all, shard);
  const budget = new Budget(started, budgetMs);
  // SIGINT, SIGTERM, SIGHUP or a closed stdout stop the run under way; the report is still written.
  const interrupt = watchStops();
  const finished: RunResult[] = [];
  const title = shard === undefined ? 'logjam ci' : `logjam ci, shard ${shard.index}/${shard.count}`;
  interrupt.onForce(() => {
    const partial = withUnfinished(buildReport([...finished], started, command), plan, budget, true, started, command, interrupt.cause);
    writeReportFiles(shard === undefined ? partial : { ...partial, shard: { ...shard, planned: all.length } }, out, title);
  });
  // The budget's hard end: a run still going then is stopped and reported as not finished.
  const budgetEnd = new AbortController();
  // Between runs nothing needs stopping: the next run sees no budget left and is skipped.
  const timer = setTimeout(() => {
    if (budget.current.size === 0) return;
    for (const index of budget.current) budget.stopped.add(index);
    budgetEnd.abort();
  }, Math.max(0, budgetMs - (Date.now() - started)));
  const c = chalkFor(stdout, process.env);
  if (shard !== undefined) stdout.write(c.dim(`shard ${shard.index}/${shard.count}: ${plan.length} of ${all.length} planned runs\n`));
  // The terminal's summary waits for the runs the budget's end left out.
  const terminal = terminalReporter(stdout, c);
  const live: Reporter = { onRunStart: (r) => terminal.onRunStart?.(r), onEvent: (r, e) => terminal.onEvent?.(r, e), onRunEnd: (r, x) => terminal.onRunEnd?.(r, x) };
  let report: Report;
  try {
    const suite = await runSuite({
      adapters,
      scenarios,
      seeds: [],
      plan,
      timeoutMs,
      memoryMb,
      reporters: [budget.reporter, live, { onRunEnd: (_r, result) => void finished.push(result) }],
      jobs,
      bounds: boundsOf(config),
      // Each failing run leaves a replay file beside the report, uploaded with it.
      replayDir,
      beforeRun: (run) => budget.reasonToSkip(run),
      signal: AbortSignal.any([interrupt.signal, budgetEnd.signal]),
      command,
    });
    report = withUnfinished(suite, plan, budget, interrupt.signal.aborted, started, command, interrupt.cause);
    for (const [index, run] of report.runs.entries()) {
      if (run !== suite.runs[index]) terminal.onRunEnd?.({ index, total: plan.length, adapter: run.adapter, scenario: run.scenario, seed: run.seed }, run);
    }
    terminal.onEnd?.(report);
  } finally {
    clearTimeout(timer);
    interrupt.dispose();
  }
  report = { ...report, suite: suiteFingerprint(adapters.map((a) => a.ref), scenarios.map((s) => s.ref), seeds, all.length, report.environment.logjam, node) };
  if (shard !== undefined) report = { ...report, shard: { ...shard, planned: all.length } };
  const files = writeReportFiles(report, out, title);
  reportToGitHub(report, process.env, (t) => stdout.write(t), title);
  stdout.write(c.dim(`wrote ${files.junit}, ${files.json}, ${files.markdown}\n`));
  if (interrupt.signal.aborted) return EXIT.internal;
  return suiteExitCode(report.runs);
}

/**
 * Decides whether a run can still start: each scenario's estimate is the longest wall time seen
 * for it so far in this suite (any adapter), else the longest of any run, else unknown (start it).
 */
const FIX = 'raise --budget or split the suite with --shard';

class Budget {
  readonly #started: number;
  readonly #budgetMs: number;
  readonly #longest = new Map<string, number>();
  #longestAny = 0;
  /** The runs under way (by plan index), to tell which ones the budget's hard end stopped. */
  readonly current = new Set<number>();
  /** The runs the budget's hard end stopped. */
  readonly stopped = new Set<number>();

  constructor(started: number, budgetMs: number) {
    this.#started = started;
    this.#budgetMs = budgetMs;
  }

  get reporter(): Reporter {
    return {
      onRunStart: (run) => this.current.add(run.index),
      onRunEnd: (run, result) => {
        this.current.delete(run.index);
        if (result.status === 'skip') return;
        const wall = result.metrics.wallMs;
        this.#longest.set(result.scenario, Math.max(this.#longest.get(result.scenario) ?? 0, wall));
        this.#longestAny = Math.max(this.#longestAny, wall);
      },
    };
  }

  reasonToSkip(run: PlannedRun): string | undefined {
    const left = this.#budgetMs - (Date.now() - this.#started);
    const estimate = this.#longest.get(run.scenario) ?? this.#longestAny;
    if (left > estimate && left > 0) return undefined;
    if (left <= 0) return this.usedUp('not run');
    const longest = this.#longest.has(run.scenario) ? `the longest ${run.scenario} run` : 'the longest run';
    return `not run: ${seconds(left)} of the ${seconds(this.#budgetMs)} budget left, less than ${longest} so far (${seconds(estimate)}); ${FIX}`;
  }

  usedUp(what: string): string {
    return `${what}: the ${seconds(this.#budgetMs)} budget was used up; ${FIX}`;
  }
}

/** Runs the budget's end (or Ctrl-C) cut short or never started are reported as skipped. */
function withUnfinished(report: Report, plan: readonly SuiteRun[], budget: Budget, interrupted: boolean, started: number, command: string, cause?: string): Report {
  const how = cause === undefined || cause === 'SIGINT' ? 'Ctrl-C' : cause;
  const why = (what: string): string => (interrupted ? `${what}: interrupted (${how})` : budget.usedUp(what));
  const runs: RunResult[] = report.runs.map((r, i) => {
    // The run under way at the hard end was stopped by it: its result is not a verdict.
    const stopped = budget.stopped.has(i) && r.status === 'error';
    return stopped ? { ...r, status: 'skip', reason: why('stopped before it finished'), findings: [] } : r;
  });
  if (runs.length === report.runs.length && plan.length === runs.length && runs.every((r, i) => r === report.runs[i])) return report;
  for (const { adapter, scenario, seed } of plan.slice(runs.length)) {
    runs.push({ adapter: adapter.name, scenario: scenario.name, seed, status: 'skip', reason: why('not run'), findings: [], metrics: EMPTY_METRICS, replay: replayFor(adapter, scenario.ref, seed) });
  }
  return buildReport(runs, started, command);
}

/**
 * What suite this is, as merge-reports compares shards: the same adapters, scenarios, seeds, runs
 * and logjam, and the Node release the runs used when `--node` chose one (shards on two Nodes are
 * two suites: loggers behave differently across runtimes).
 */
export function suiteFingerprint(adapters: readonly string[], scenarios: readonly string[], seeds: readonly number[], runs: number, logjam: string, node?: string): SuiteFingerprint {
  const fields = { adapters: [...adapters], scenarios: [...scenarios], seeds: [...seeds], runs, logjam, ...(node !== undefined ? { node } : {}) };
  return { fingerprint: createHash('sha256').update(JSON.stringify(fields)).digest('hex'), ...fields };
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new UsageError(`Expected \`--shard\` to be I/N with 1 <= I <= N, such as 1/4, got \`${value}\``);
  }
  return { index, count };
}

/** Every n-th planned run from the i-th: deterministic, and interleaved so shards get a mix. */
/**
 * The plan in diagonal order, so that a budget that ends early has still covered every scenario
 * and as many adapters as it could: scenario s first runs on adapter s (mod the adapter count),
 * then on adapter s+1, and so on; seed by seed. Deterministic, so shards and merge-reports agree.
 */
export function spreadForBudget(plan: readonly SuiteRun[], adapterCount: number, scenarioCount: number): SuiteRun[] {
  // planRuns is adapter-major, then scenario, then seed.
  const seeds = Math.max(1, plan.length / Math.max(1, adapterCount * scenarioCount));
  const rank = (i: number): number => {
    const seed = i % seeds;
    const scenario = Math.floor(i / seeds) % scenarioCount;
    const adapter = Math.floor(i / (seeds * scenarioCount));
    const diagonal = (((adapter - scenario) % adapterCount) + adapterCount) % adapterCount;
    return (seed * adapterCount + diagonal) * scenarioCount + scenario;
  };
  return plan.map((run, i) => ({ run, key: rank(i) })).sort((a, b) => a.key - b.key).map((r) => r.run);
}

export function shardOf<T>(plan: readonly T[], shard: Shard): T[] {
  return plan.filter((_, i) => i % shard.count === shard.index - 1);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
