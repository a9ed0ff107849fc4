/**
 * The `logjam` command line. Exit codes: 0 all passed, 1 findings failed a run, 2 usage or
 * configuration error, 3 internal harness error.
 */

import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { chalkFor, isReporterName, REPORTER_NAMES, reporters as reporterFactories, type Reporter } from '../../reports/index.js';
import { BUILTIN_ADAPTER_NAMES, DEFAULT_ADAPTER_NAMES, expandAdapterRefs, isSeededDefect } from '../../adapters/index.js';
import { SCENARIO_NAMES } from '../../scenarios/index.js';
import { PROJECT_ENV } from '../../adapters/load.js';
import { parsePins, PINS_ENV, useLoggerVersions } from './logger-cache.js';
import { parseTimeout, parseInteger } from '../util/duration.js';
import { UsageError } from '../contract/errors.js';
import { freshSeed } from '../util/random.js';
import { resolveAdapter, resolveScenario } from './catalogue.js';
import { describePythonAdapters, PYTHON_ENV } from '../util/python.js';
import { isPythonSeededDefect, PYTHON_ADAPTER_NAMES, pythonAdapterUrl } from '../../adapters/python.js';
import { EXIT, type RunResult } from '../contract/result.js';
import { runSuite } from '../run/suite.js';
import { replayCommand } from './replay-command.js';
import { SCHEDULE_MODES, type ScheduleMode } from '../contract/schedule-spec.js';
import { ciCommand } from './commands/ci.js';
import { nonEmptyList, parse, stderr, stdout, suiteExitCode, usePython } from './commands/shared.js';
import { handleClosedOutputs, watchStops } from './signals.js';
import { prepareOutDir, prepareOutFile, writeOrKeep } from './output-paths.js';
import { buildReport } from '../run/suite.js';
import { mergeReportsCommand } from './commands/merge-reports.js';
import { compareCommand } from './commands/compare.js';
import { stressCommand } from './commands/stress.js';
import { findingsCommand } from './commands/findings.js';
import { bisectCommand } from './commands/bisect.js';


const COMMANDS = {
  list: { summary: 'list the bundled adapters and scenarios', run: list },
  run: { summary: 'run scenarios against adapters, each run in its own supervised process', run },
  ci: ciCommand,
  'merge-reports': mergeReportsCommand,
  stress: stressCommand,
  compare: compareCommand,
  findings: findingsCommand,
  bisect: bisectCommand,
  replay: {
    summary: 'run a failing run again from its replay file: logjam replay FILE',
    run: async (args: string[]) => replayCommand(args, stdout, chalkFor(stdout, process.env), reporterFactories.terminal(stdout, chalkFor(stdout, process.env))),
  },
  help: { summary: 'show this help', run: async () => mainHelp() },
} satisfies Record<string, { summary: string; run: (args: string[]) => Promise<number> }>;

type CommandName = keyof typeof COMMANDS;

const PLANNED: string[] = [];

function mainHelp(): number {
  const lines = [
    'Usage: logjam <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
    '',
    'Run `logjam <command> --help` for the options of a command.',
    'Exit codes: 0 all passed, 1 findings failed a run, 2 usage error, 3 internal harness error.',
  ];
  stdout.write(`${lines.join('\n')}\n`);
  return EXIT.pass;
}

const LIST_OPTIONS = {
  json: { type: 'boolean' },
  'logger-version': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function list(args: string[]): Promise<number> {
  const { values } = parse(args, LIST_OPTIONS, 'list');
  if (values.help === true) {
    stdout.write(
      'Usage: logjam list [--json] [--logger-version NAME@VERSION]\n\nLists the bundled adapters (with the logger versions they load) and the scenarios.\n\n  --json                           print as JSON\n  --logger-version NAME@VERSION    load this release (installed into the cache); repeatable\n',
    );
    return EXIT.pass;
  }
  pinLoggerVersions(values['logger-version']);
  const adapters = await Promise.all(
    BUILTIN_ADAPTER_NAMES.map(async (name) => {
      const a = await resolveAdapter(name, process.cwd());
      return {
        name: a.name,
        description: a.definition.description,
        seededDefect: isSeededDefect(a.name),
        capabilities: a.definition.capabilities,
        versions: (await a.definition.versions?.()) ?? {},
      };
    }),
  );
  // Described by the Python driver in one interpreter; with none, listed with the reason their runs skip.
  const described = await describePythonAdapters(PYTHON_ADAPTER_NAMES.map((name) => fileURLToPath(pythonAdapterUrl(name))));
  const pythonAdapters = PYTHON_ADAPTER_NAMES.map((name) => {
    const d = described.get(fileURLToPath(pythonAdapterUrl(name)));
    const ok = d?.ok === true ? d.description : undefined;
    return {
      name,
      description: ok !== undefined ? `${ok.description}${ok.unavailable !== undefined ? ` (skipped here: ${ok.unavailable})` : ''}` : `(not available: ${d?.ok === false ? d.message : 'no answer'})`,
      seededDefect: isPythonSeededDefect(name),
      ...(ok !== undefined ? { capabilities: ok.capabilities } : {}),
      versions: ok?.versions ?? {},
    };
  });
  const scenarios = await Promise.all(
    SCENARIO_NAMES.map(async (name) => {
      const s = await resolveScenario(name);
      return { name: s.name, description: s.description, failOn: s.failOn };
    }),
  );
  if (values.json === true) {
    stdout.write(`${JSON.stringify({ adapters, pythonAdapters, scenarios }, null, 2)}\n`);
    return EXIT.pass;
  }
  const c = chalkFor(stdout, process.env);
  const width = Math.max(...adapters.map((a) => a.name.length), ...pythonAdapters.map((a) => a.name.length)) + 2;
  const listAdapters = (title: string, list: readonly { name: string; description: string; versions: Record<string, string> }[]): void => {
    stdout.write(`${c.bold(title)}\n`);
    for (const a of list) {
      const versions = Object.entries(a.versions).map(([k, v]) => `${k}@${v}`).join(' ');
      stdout.write(`  ${c.cyan(a.name.padEnd(width))} ${a.description} ${c.dim(versions)}\n`);
    }
  };
  listAdapters('Adapters', adapters.filter((a) => !a.seededDefect));
  stdout.write('\n');
  listAdapters('Seeded defects (run only when named: --adapter reference-bug-*)', adapters.filter((a) => a.seededDefect));
  stdout.write('\n');
  listAdapters(`Python adapters (the Python driver, ${process.env[PYTHON_ENV] ?? 'python3'}; seeded defects python-bug-* run only when named)`, pythonAdapters);
  stdout.write(`\n${c.bold('Scenarios')}\n`);
  for (const s of scenarios) stdout.write(`  ${c.cyan(s.name.padEnd(20))} ${s.description}\n`);
  return EXIT.pass;
}

const RUN_OPTIONS = {
  adapter: { type: 'string', short: 'a', multiple: true },
  scenario: { type: 'string', short: 's', multiple: true },
  seed: { type: 'string' },
  path: { type: 'string' },
  schedule: { type: 'string' },
  shrink: { type: 'boolean' },
  'replay-dir': { type: 'string' },
  runs: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  reporter: { type: 'string' },
  json: { type: 'string' },
  keep: { type: 'boolean' },
  'logger-version': { type: 'string', multiple: true },
  python: { type: 'string' },
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
      --timeout DURATION   hard deadline of each run, e.g. 30s (default: 60s)
      --memory MB          resident memory cap of each run's process (default: 2048)
      --reporter NAME      ${REPORTER_NAMES.join(' | ')} (default: terminal)
      --json FILE          also write the result model (logjam.report/1) to FILE
      --keep               keep each run's scratch folder (sink files) for inspection
      --logger-version NAME@VERSION
                           run the bundled adapters against this release of a logger or a
                           helper (pino@8.0.0, thread-stream@4.2.0), installed once into
                           ~/.cache/logjam; repeatable
  -h, --help               show this help

Exit codes: 0 all passed, 1 findings failed a run, 2 usage error, 3 internal harness error.
`;

async function run(args: string[]): Promise<number> {
  const { values } = parse(args, RUN_OPTIONS, 'run');
  if (values.help === true) {
    stdout.write(RUN_HELP);
    return EXIT.pass;
  }
  const reporterName = values.reporter ?? 'terminal';
  if (!isReporterName(reporterName)) {
    throw new UsageError(`Expected \`--reporter\` to be one of ${REPORTER_NAMES.join(', ')}, got \`${reporterName}\``);
  }
  const seed = values.seed === undefined ? freshSeed() : parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  const runs = values.runs === undefined ? 1 : parseInteger(values.runs, '--runs', 1, 100_000);
  const timeoutMs = values.timeout === undefined ? 60_000 : parseTimeout(values.timeout);
  const memoryMb = values.memory === undefined ? 2048 : parseInteger(values.memory, '--memory', 64, 1 << 20);
  const path = values.path;
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) {
    throw new UsageError(`Expected \`--path\` to be a fast-check path such as 0:1:0, as a failing run printed it; got \`${path}\``);
  }
  if (path !== undefined && values.seed === undefined) throw new UsageError('Expected `--seed` with `--path`: a path leads from the parameters of one seed');
  const scheduleMode = parseScheduleMode(values.schedule);
  // Every output path is checked, and created, before anything runs (harness/cli/output-paths.ts).
  const jsonFile = values.json === undefined ? undefined : prepareOutFile(values.json, '--json');
  const replayDir = prepareOutDir(values['replay-dir'] ?? '.logjam/replays', '--replay-dir');

  pinLoggerVersions(values['logger-version']);
  usePython(values.python);
  const named = nonEmptyList(values.adapter, '--adapter');
  const adapterRefs = named === undefined ? DEFAULT_ADAPTER_NAMES : expandAdapterRefs(named);
  if (adapterRefs.length === 0) throw new UsageError(`Expected \`--adapter\` to match a bundled adapter, got \`${(values.adapter ?? []).join(", ")}\`. Run \`logjam list\` to see them.`);
  const scenarioNames = nonEmptyList(values.scenario, '--scenario') ?? SCENARIO_NAMES;
  // A user's module is read in a describe child under the run's own deadline and memory cap.
  const limits = { timeoutMs, memoryMb };
  const adapters = [];
  for (const ref of adapterRefs) adapters.push(await resolveAdapter(ref, process.cwd(), { explicit: named?.includes(ref) ?? true, limits }));
  const scenarios = [];
  for (const name of scenarioNames) scenarios.push(await resolveScenario(name, process.cwd(), limits));

  if (path !== undefined && (adapters.length !== 1 || scenarios.length !== 1)) {
    throw new UsageError('Expected one `--adapter` and one `--scenario` with `--path`: a path names parameters of one scenario');
  }
  const command = `logjam ${['run', ...args].join(' ')}`;
  const started = Date.now();
  // What finished so far, for a second signal that cannot wait for the suite to return.
  const finished: RunResult[] = [];
  const collect: Reporter = { onRunEnd: (_run, result) => void finished.push(result) };
  const reporters: Reporter[] = [reporterFactories[reporterName](stdout, chalkFor(stdout, process.env)), collect];
  // SIGINT, SIGTERM, SIGHUP or a closed stdout end the current run's process group and still
  // write what was gathered (harness/cli/signals.ts).
  const stops = watchStops();
  const say = (line: string): void => stderr.write(line);
  if (jsonFile !== undefined) stops.onForce(() => writeOrKeep(jsonFile, `${JSON.stringify(buildReport(finished, started, command), null, 2)}\n`, say, (t) => stdout.write(t)));
  try {
    const report = await runSuite({
      adapters,
      scenarios,
      seeds: Array.from({ length: runs }, (_, i) => seed + i),
      ...(path !== undefined ? { path } : {}),
      scheduleMode,
      ...(values.shrink === true ? { shrink: true } : {}),
      replayDir,
      timeoutMs,
      memoryMb,
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

/** Installs (or reuses) the pinned releases and points every run's process at them. */
function pinLoggerVersions(values: string[] | undefined): void {
  if (values === undefined || values.length === 0) return;
  const pins = parsePins(values);
  const outcome = useLoggerVersions(pins, { log: (line) => stderr.write(line) });
  // Replay commands name the same releases (supervisor.replayFor reads this).
  process.env[PINS_ENV] = pins.map((p) => `${p.name}@${p.version}`).join(' ');
  if (outcome.installed) stderr.write(`logjam: installed in ${(outcome.ms / 1000).toFixed(1)} s\n`);
}

function parseScheduleMode(value: string | undefined): ScheduleMode {
  if (value === undefined) return 'free';
  if (!(SCHEDULE_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`Expected \`--schedule\` to be one of ${SCHEDULE_MODES.join(', ')}, got \`${value}\``);
  }
  return value as ScheduleMode;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Bundled adapters load their logger from this project; every run's process inherits it.
  process.env[PROJECT_ENV] ??= process.cwd();
  handleClosedOutputs();
  if (command === undefined || command === '--help' || command === '-h') return mainHelp();
  try {
    if (!Object.hasOwn(COMMANDS, command)) {
      const planned = PLANNED.includes(command) ? ` (\`logjam ${command}\` is designed but not built yet)` : '';
      throw new UsageError(`Unknown command \`${command}\`${planned}. Expected one of: ${Object.keys(COMMANDS).join(', ')}`);
    }
    return await COMMANDS[command as CommandName].run(rest);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      stderr.write(`logjam: ${error.message}\n`);
      return EXIT.usage;
    }
    stderr.write(`logjam: internal error (a harness bug, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
