/**
 * `logjam compare`: the same scenarios and benchmarks against every adapter (or those named),
 * written as one self-contained HTML report (verdict matrix, charts, environment) plus
 * Markdown and the JSON model behind both.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release, type } from 'node:os';
import { dirname, join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { chalkFor, terminalReporter } from '../../../reports/index.js';
import type { CompareModel } from '../../../reports/compare-model.js';
import { compareHtml } from '../../../reports/html.js';
import { compareMarkdown } from '../../../reports/markdown.js';
import { BENCH_SHAPES, MAX_RECORDS_PER_THREAD, runBenchmarks, type BenchShape } from '../../run/benchmark.js';
import { formatSpread, rankings } from '../../../reports/ranking.js';
import { parseDuration, parseInteger, parseTimeout } from '../../util/duration.js';
import { UsageError } from '../../contract/errors.js';
import { EXIT } from '../../contract/result.js';
import { runSuite } from '../../run/suite.js';
import { parse, requireNonEmpty, resolveTargets, splitList, stderr, stdout, usePython } from './shared.js';
import { watchStops } from '../signals.js';
import { prepareOutDir, writeOrKeep } from '../output-paths.js';
import { pinNode } from './pins.js';

export const COMPARE_DEFAULTS = { seed: 1, runs: 1, minLoggingMs: 1000, iterations: 3, threads: [1, 2], out: 'logjam-compare', timeoutMs: 60_000 } as const;

const OPTIONS = {
  adapter: { type: 'string', short: 'a', multiple: true },
  scenario: { type: 'string', short: 's', multiple: true },
  seed: { type: 'string' },
  runs: { type: 'string' },
  duration: { type: 'string' },
  records: { type: 'string' },
  iterations: { type: 'string' },
  threads: { type: 'string' },
  shape: { type: 'string', multiple: true },
  'no-bench': { type: 'boolean' },
  timeout: { type: 'string' },
  out: { type: 'string' },
  python: { type: 'string' },
  node: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam compare [options]

Runs the scenarios and the benchmarks against every adapter (default: the bundled loggers) and
writes compare.html (one self-contained file: verdict matrix, charts, environment; opens
offline), compare.md and compare.json to --out.

Options:
  -a, --adapter NAME|PATH  adapters, repeatable or comma-separated (default: the bundled loggers)
  -s, --scenario NAME      scenarios for the verdict matrix (default: all)
      --seed N             first seed (default: ${COMPARE_DEFAULTS.seed})
      --runs N             seeds per adapter and scenario (default: ${COMPARE_DEFAULTS.runs})
      --duration DURATION  size each benchmark iteration to at least this much logging, by a
                           calibration run per adapter and shape (default: ${COMPARE_DEFAULTS.minLoggingMs / 1000}s)
      --records N          fixed records per producer thread instead (no calibration)
      --iterations N       benchmark iterations per case, each its own process, run in rounds
                           across the cases; each figure shows median (min–max) (default: ${COMPARE_DEFAULTS.iterations})
      --threads LIST       producer-thread counts, e.g. 1,2,4 (default: ${COMPARE_DEFAULTS.threads.join(',')})
      --shape NAME         ${BENCH_SHAPES.join(' | ')}, repeatable (default: all three)
      --no-bench           the verdict matrix only
      --timeout DURATION   hard deadline of each run and each benchmark process (default: 60s)
      --out DIR            where the files go (default: ${COMPARE_DEFAULTS.out})
      --python PATH        the interpreter for Python adapters (python-*, ./my_adapter.py),
                           which share the matrix and the benchmark table (default: python3)
      --node VERSION       run every run and benchmark process on this Node release (22.12.0,
                           or 22: its newest), fetched once from the npm registry and cached
  -h, --help               show this help

Benchmarks measure the logger, not the process around it: delivered records/s is records in
the file over the time from the first call to the last write into the file; shutdown is the
time from the last call to the last close; CPU is the whole process's per delivered record.
The ranking orders the adapters by median delivered records/s and marks neighbours whose
spreads overlap (\u2248): their order is within the noise of this many iterations.

A longer comparison: --runs 5 --duration 3s --iterations 7 --threads 1,2,4

Exit codes: 0 the report was written (whatever the verdicts: \`logjam ci\` is the gate), 2 usage
error, 3 internal harness error or interrupted.
`;

export const compareCommand = {
  run: compare,
};

async function compare(args: string[]): Promise<number> {
  const { values } = parse(args, OPTIONS, 'compare');
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  const seed = values.seed === undefined ? COMPARE_DEFAULTS.seed : parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  const runs = values.runs === undefined ? COMPARE_DEFAULTS.runs : parseInteger(values.runs, '--runs', 1, 1000);
  if (values.records !== undefined && values.duration !== undefined) throw new UsageError('Expected one of `--records` (a fixed size) and `--duration` (a size calibrated to a time), got both');
  const records = values.records === undefined ? undefined : parseInteger(values.records, '--records', 1, MAX_RECORDS_PER_THREAD);
  const minLoggingMs = values.duration === undefined ? COMPARE_DEFAULTS.minLoggingMs : parseDuration(values.duration, '--duration');
  const iterations = values.iterations === undefined ? COMPARE_DEFAULTS.iterations : parseInteger(values.iterations, '--iterations', 1, 1000);
  const threads = values.threads === undefined ? [...COMPARE_DEFAULTS.threads] : (splitList([values.threads]) ?? []).map((t) => parseInteger(t, '--threads', 1, 256));
  const shapes = (splitList(values.shape) ?? [...BENCH_SHAPES]).map((s) => {
    if (!(BENCH_SHAPES as readonly string[]).includes(s)) throw new UsageError(`Expected \`--shape\` to be one of ${BENCH_SHAPES.join(', ')}, got \`${s}\``);
    return s as BenchShape;
  });
  const timeoutMs = values.timeout === undefined ? COMPARE_DEFAULTS.timeoutMs : parseTimeout(values.timeout);
  // An iteration logs for minLoggingMs, then starts, closes and reads back inside the deadline.
  if (minLoggingMs * 2 > timeoutMs) {
    throw new UsageError(`Expected \`--duration\` to be at most half of \`--timeout\` (${timeoutMs} ms), got ${minLoggingMs} ms: raise --timeout or shorten --duration`);
  }
  // Checked and created before anything runs.
  const out = prepareOutDir(requireNonEmpty(values.out, '--out') ?? COMPARE_DEFAULTS.out, '--out');
  usePython(values.python);
  const node = await pinNode(values.node);
  const { adapters, scenarios } = await resolveTargets(values.adapter, values.scenario, process.cwd(), { timeoutMs });
  const command = `logjam ${['compare', ...args].join(' ')}`;

  // SIGINT, SIGTERM, SIGHUP or a closed stdout end the run under way; the files are still written.
  const abort = watchStops();
  const c = chalkFor(stdout, process.env);
  try {
    stdout.write(c.bold('Scenarios\n'));
    const report = await runSuite({
      adapters,
      scenarios,
      seeds: Array.from({ length: runs }, (_, i) => seed + i),
      timeoutMs,
      reporters: [terminalReporter(stdout, c)],
      signal: abort.signal,
      command,
    });
    if (values['no-bench'] !== true) stdout.write(c.bold('\nBenchmarks\n'));
    const benchmarks =
      values['no-bench'] === true
        ? []
        : await runBenchmarks({
            adapters,
            shapes,
            threads,
            minLoggingMs,
            ...(records !== undefined ? { records } : {}),
            iterations,
            timeoutMs,
            signal: abort.signal,
            onProgress: (done, total, what) => {
              if (stdout.isTTY) stdout.write(`\r\u001b[2K  ${c.dim(`${done}/${total} ${what}`)}`);
            },
            onCase: (b) => {
              const s = b.spread;
              const size = `${Math.round((b.median?.produced ?? 0) / b.threads).toLocaleString('en')} logged/thread${b.sizing.by === 'time' && b.sizing.capped ? ' (capped)' : ''}`;
              const facts =
                b.status === 'ok' && s !== undefined
                  ? `${formatSpread(s.deliveredPerSec)} delivered/s · shutdown ${formatSpread(s.shutdownMs)} ms · CPU ${formatSpread(s.cpuNsPerRecord)} ns/record · ${size}`
                  : `${b.status}: ${b.reason ?? ''}`;
              if (stdout.isTTY) stdout.write('\r\u001b[2K');
              stdout.write(`  ${b.adapter} ${b.shape} ×${b.threads}  ${c.dim(facts)}\n`);
            },
          });
    if (benchmarks.length > 0) {
      stdout.write(c.bold('\nRanking by delivered records/s, median (min–max); \u2248: within the noise of the next\n'));
      for (const r of rankings(benchmarks)) {
        stdout.write(`  ${r.shape} ×${r.threads}: ${r.rows.map((row) => `${row.adapter} ${Math.round(row.deliveredPerSec.median).toLocaleString('en')}${row.overlapsNext ? ' \u2248' : ' >'}`).join(' ').replace(/ [>\u2248]$/, '')}\n`);
      }
    }
    const model: CompareModel = {
      schema: 'logjam.compare/1',
      generatedAt: new Date().toISOString(),
      command,
      os: { type: type(), release: release() },
      // The runs' and benchmarks' Node: --node's release, else the one running logjam.
      node: node !== undefined ? `v${node}` : process.version,
      adapters: await Promise.all(
        adapters.map(async (a) => ({ name: a.name, description: a.definition.description, versions: (await a.definition.versions?.()) ?? {} })),
      ),
      scenarios: scenarios.map((s) => ({ name: s.name, description: s.description })),
      report,
      bench: { minLoggingMs, ...(records !== undefined ? { records } : {}), iterations, threads },
      benchmarks,
    };
    const say = (line: string): void => stderr.write(line);
    const files = {
      json: writeOrKeep(join(out, 'compare.json'), `${JSON.stringify(model, null, 2)}\n`, say, (t) => stdout.write(t)),
      html: writeOrKeep(join(out, 'compare.html'), compareHtml(model, chartJsSource()), say, (t) => stdout.write(t)),
      markdown: writeOrKeep(join(out, 'compare.md'), compareMarkdown(model), say, (t) => stdout.write(t)),
    };
    stdout.write(`\nwrote ${files.html}\n${c.dim(`      ${files.markdown}, ${files.json}`)}\n`);
    return abort.signal.aborted ? EXIT.internal : report.summary.error > 0 ? EXIT.internal : EXIT.pass;
  } finally {
    abort.dispose();
  }
}

/** Chart.js's UMD build, inlined into the report so it opens offline. */
export function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  // The UMD file is not in the package's exports map: find it beside the CommonJS entry.
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}
