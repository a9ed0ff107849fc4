/**
 * `logjam stress`: the local loop. Runs every chosen adapter × scenario again and again, each
 * run with a fresh seed and schedule perturbation on, with a live progress display; stops at
 * the first failure (`--until-failure`), after `--duration` or `--iterations`, or on Ctrl-C,
 * and prints what it found with the command that replays it.
 */

import { createLogUpdate } from 'log-update';
import type { ParseArgsConfig } from 'node:util';
import type { ChalkInstance } from 'chalk';
import { chalkFor } from '../../../reports/index.js';
import { parseDuration, parseTimeout, parseInteger } from '../../util/duration.js';
import { UsageError } from '../../contract/errors.js';
import { freshSeed } from '../../util/random.js';
import { EXIT, type RunResult } from '../../contract/result.js';
import { planRuns, runSuite, type SuiteOptions, type SuiteRun } from '../../run/suite.js';
import { parse, requireNonEmpty, resolveTargets, stdout } from './shared.js';
import { watchStops } from '../signals.js';
import { prepareOutDir } from '../output-paths.js';
import { pinNode } from './pins.js';

export const STRESS_DEFAULTS = { durationMs: 10 * 60_000, timeoutMs: 60_000, out: '.logjam/replays', refreshMs: 250 } as const;

const OPTIONS = {
  adapter: { type: 'string', short: 'a', multiple: true },
  scenario: { type: 'string', short: 's', multiple: true },
  'until-failure': { type: 'boolean' },
  duration: { type: 'string' },
  iterations: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  out: { type: 'string' },
  node: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam stress [options]

Runs every chosen adapter × scenario again and again (one pass is an iteration), each run with a
fresh seed and schedule perturbation on, showing progress. Stops at the first failure with
--until-failure, else after --duration or --iterations (the first reached), or on Ctrl-C, and
prints every failure with the one command that replays it.

Options:
  -a, --adapter NAME|PATH  adapters, repeatable or comma-separated (default: the bundled loggers)
  -s, --scenario NAME      scenarios, repeatable or comma-separated (default: all)
      --until-failure      stop at the first failing run and write its replay artefact
      --duration DURATION  stop starting runs after this long, e.g. 10m (default: 10m unless
                           --iterations is given)
      --iterations N       stop after N passes over adapters × scenarios
      --timeout DURATION   hard deadline of each run (default: 60s)
      --memory MB          resident memory cap of each run's process (default: 2048)
      --out DIR            where replay artefacts go (default: ${STRESS_DEFAULTS.out})
      --node VERSION       run each run's process on this Node release (22.12.0, or 22: its
                           newest); see \`logjam run --help\`
  -h, --help               show this help

Exit codes: 0 no run failed, 1 a run failed, 2 usage error, 3 internal harness error.
`;

export const stressCommand = {
  run: stress,
};

interface Progress {
  readonly started: number;
  readonly deadline: number | undefined;
  readonly iterationsLimit: number | undefined;
  iteration: number;
  runs: number;
  failing: RunResult[];
  errors: number;
  current: string;
}

async function stress(args: string[]): Promise<number> {
  const { values } = parse(args, OPTIONS, 'stress');
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  const iterationsLimit = values.iterations === undefined ? undefined : parseInteger(values.iterations, '--iterations', 1, 1e9);
  const durationMs =
    values.duration !== undefined ? parseDuration(values.duration, '--duration') : iterationsLimit === undefined ? STRESS_DEFAULTS.durationMs : undefined;
  const timeoutMs = values.timeout === undefined ? STRESS_DEFAULTS.timeoutMs : parseTimeout(values.timeout);
  const memoryMb = values.memory === undefined ? 2048 : parseInteger(values.memory, '--memory', 64, 1 << 20);
  // Checked and created before anything runs.
  const out = prepareOutDir(requireNonEmpty(values.out, '--out') ?? STRESS_DEFAULTS.out, '--out');
  const untilFailure = values['until-failure'] === true;
  await pinNode(values.node);
  const { adapters, scenarios } = await resolveTargets(values.adapter, values.scenario, process.cwd(), { timeoutMs, memoryMb });
  const pairs = planRuns(adapters, scenarios, [0]);
  if (pairs.length === 0) throw new UsageError('Expected at least one adapter and one scenario to stress');

  const started = Date.now();
  const progress: Progress = {
    started,
    deadline: durationMs === undefined ? undefined : started + durationMs,
    iterationsLimit,
    iteration: 0,
    runs: 0,
    failing: [],
    errors: 0,
    current: '',
  };
  const c = chalkFor(stdout, process.env);
  const display = createDisplay(progress, c);
  // SIGINT, SIGTERM, SIGHUP or a closed stdout end the run under way; replay files of the
  // failures found so far are already on disk, and the summary is still printed.
  const interrupt = watchStops();
  interrupt.onForce(() => {
    display.stop();
    stdout.write(summary(progress, `interrupted (${interrupt.cause ?? 'signal'}), stopped at once`, c));
  });
  let stopReason = '';
  try {
    outer: for (;;) {
      if (iterationsLimit !== undefined && progress.iteration >= iterationsLimit) {
        stopReason = `${iterationsLimit} iteration(s) done`;
        break;
      }
      progress.iteration++;
      for (const pair of pairs) {
        if (interrupt.signal.aborted) break outer;
        if (progress.deadline !== undefined && Date.now() >= progress.deadline) {
          stopReason = `${formatMs(durationMs ?? 0)} elapsed`;
          break outer;
        }
        const run: SuiteRun = { ...pair, seed: freshSeed() };
        progress.current = `${run.adapter.name} × ${run.scenario.name} seed ${run.seed}`;
        display.update();
        const report = await runSuite(stressRunOptions(run, { timeoutMs, memoryMb, signal: interrupt.signal, replayDir: out }));
        const result = report.runs[0];
        // A run cut short by Ctrl-C has no verdict: it is left out.
        if (result === undefined || interrupt.signal.aborted) break outer;
        progress.runs++;
        if (result.status === 'error') progress.errors++;
        if (result.status === 'fail' || result.status === 'error') {
          progress.failing.push(result);
          display.finding(result);
          if (untilFailure) {
            stopReason = 'first failure';
            break outer;
          }
        }
      }
    }
    if (interrupt.signal.aborted) stopReason = `interrupted (${interrupt.cause === 'SIGINT' ? 'Ctrl-C' : (interrupt.cause ?? 'signal')})`;
  } finally {
    display.stop();
    interrupt.dispose();
  }
  stdout.write(summary(progress, stopReason, c));
  const first = progress.failing.find((r) => r.status === 'fail') ?? progress.failing[0];
  if (first !== undefined) stdout.write(`\n${c.bold('Replay the first failure:')}\n  ${c.cyan(first.replay.command)}\n`);
  // Interrupted is 3, as in every command (README, exit codes): the loop did not run its course.
  if (progress.errors > 0 || interrupt.signal.aborted) return EXIT.internal;
  return progress.failing.length > 0 ? EXIT.findings : EXIT.pass;
}

/**
 * Every stress run goes through here: one planned run with its fresh seed, PCT-style schedule
 * perturbation on (seeded from the run's seed, so the replay file repeats it), and a replay
 * file written for a failing run.
 */
function stressRunOptions(run: SuiteRun, common: Pick<SuiteOptions, 'timeoutMs' | 'memoryMb' | 'signal' | 'replayDir'>): SuiteOptions {
  return { ...common, adapters: [run.adapter], scenarios: [run.scenario], seeds: [run.seed], plan: [run], scheduleMode: 'pct', command: 'logjam stress' };
}

/** log-update on a terminal, redrawn a few times a second; one plain line per iteration elsewhere. */
function createDisplay(progress: Progress, c: ChalkInstance): { update(): void; finding(run: RunResult): void; stop(): void } {
  if (!stdout.isTTY) {
    let shown = 0;
    return {
      update() {
        if (progress.iteration === shown) return;
        shown = progress.iteration;
        stdout.write(`${status(progress, false, c)}\n`);
      },
      finding(run) {
        stdout.write(findingLine(run, c));
      },
      stop() {},
    };
  }
  // Through the write captured at startup; a pseudo-terminal may report 0 rows, which would
  // make log-update draw nothing.
  const tty = process.stdout;
  const target = { isTTY: true, write: (text: string) => (stdout.write(text), true), get columns() { return tty.columns || 80; }, get rows() { return tty.rows || 24; } };
  const log = createLogUpdate(target as unknown as NodeJS.WriteStream);
  const draw = (): void => log(status(progress, true, c));
  // Redrawn on a timer so elapsed and remaining time move while one run is long; cleared in stop().
  const timer = setInterval(draw, STRESS_DEFAULTS.refreshMs);
  return {
    update: draw,
    finding(run) {
      log.clear();
      stdout.write(findingLine(run, c));
      draw();
    },
    stop() {
      clearInterval(timer);
      draw();
      log.done();
    },
  };
}

function status(p: Progress, live: boolean, c: ChalkInstance): string {
  const elapsed = Date.now() - p.started;
  const rate = p.runs / Math.max(elapsed / 1000, 0.001);
  const remaining =
    p.deadline !== undefined ? `${formatMs(Math.max(0, p.deadline - Date.now()))} left` : p.iterationsLimit !== undefined ? `${p.iterationsLimit - p.iteration} more iteration(s)` : '';
  const findings = p.failing.length > 0 ? c.red(`${p.failing.length} failing`) : c.green('0 failing');
  const line = [`iteration ${p.iteration}${p.iterationsLimit !== undefined ? `/${p.iterationsLimit}` : ''}`, `${p.runs} runs`, `${rate.toFixed(2)} runs/s`, findings, `${formatMs(elapsed)} elapsed`, remaining].filter((s) => s !== '').join(' · ');
  return live ? `${line}\n${c.dim(`  running ${p.current}`)}` : line;
}

function findingLine(run: RunResult, c: ChalkInstance): string {
  const kinds = [...new Set(run.findings.filter((f) => f.severity === 'error').map((f) => f.kind))];
  return `${c.red(`✗ ${run.status}`)} ${run.adapter} × ${run.scenario} seed ${run.seed}: ${kinds.join(', ') || (run.reason ?? '')}\n    ${c.cyan(`replay: ${run.replay.command}`)}\n`;
}

function summary(p: Progress, why: string, c: ChalkInstance): string {
  const elapsed = Date.now() - p.started;
  const lines = [
    '',
    `${c.bold('stress stopped')}: ${why}`,
    `${p.iteration} iteration(s), ${p.runs} runs in ${formatMs(elapsed)} (${(p.runs / Math.max(elapsed / 1000, 0.001)).toFixed(2)} runs/s), ${p.failing.length} failing`,
  ];
  for (const r of p.failing) lines.push(`  ${r.adapter} × ${r.scenario} seed ${r.seed}: ${[...new Set(r.findings.map((f) => f.kind))].join(', ') || (r.reason ?? '')}`);
  return `${lines.join('\n')}\n`;
}

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}
