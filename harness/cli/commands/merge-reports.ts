/**
 * `logjam merge-reports DIR...`: joins the reports of `logjam ci --shard i/n` jobs into the one
 * report an unsharded run would have written, runs in the same order, and writes its JUnit and
 * Markdown views beside it. The exit code is the merged suite's, so a merge job gates the PR.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { chalkFor } from '../../../reports/index.js';
import { reportToGitHub } from '../../../reports/github.js';
import { UsageError } from '../../contract/errors.js';
import { EXIT, exitCodeFor, type Report, type RunResult, type SuiteFingerprint } from '../../contract/result.js';
import { parseWith, ReportSchema } from '../../contract/schemas.js';
import { summaryOf } from '../../run/suite.js';
import { parse, requireNonEmpty, stdout, writeReportFiles } from './shared.js';

const OPTIONS = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam merge-reports DIR|FILE... [--out DIR]

Joins the report.json files written by \`logjam ci --shard i/n\` (a folder stands for the
report.json inside it) into one report with the runs in the unsharded order, and writes
report.json, junit.xml and summary.md to --out (default: logjam-report). With
GITHUB_ACTIONS=true it also prints annotations and appends the summary to the job summary.

Exit codes: 0 all passed, 1 findings failed a run, 2 usage error (a shard missing, twice, or
from another suite), 3 a run errored.
`;

export const mergeReportsCommand = {
  run: mergeReports,
};

async function mergeReports(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, 'merge-reports', true);
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  if (positionals.length === 0) throw new UsageError('Expected one or more report folders or report.json files, e.g. `logjam merge-reports shard-1 shard-2`');
  const out = requireNonEmpty(values.out, '--out') ?? 'logjam-report';
  const reports = positionals.map(readReport);
  const merged = mergeShardReports(reports, `logjam ${['merge-reports', ...args].join(' ')}`);
  const files = writeReportFiles(merged, out, 'logjam ci');
  reportToGitHub(merged, process.env, (t) => stdout.write(t), 'logjam ci');
  const c = chalkFor(stdout, process.env);
  const s = merged.summary;
  stdout.write(`merged ${reports.length} report(s): ${merged.runs.length} runs, ${s.pass} passed, ${s.fail} failed, ${s.error} errored, ${s.skip} skipped\n`);
  for (const r of merged.runs.filter((run) => run.status === 'fail' || run.status === 'error')) {
    stdout.write(`${c.red(`✗ ${r.status}`)} ${r.adapter} × ${r.scenario} seed ${r.seed}: ${r.findings.map((f) => f.kind).join(', ') || (r.reason ?? '')}\n    ${c.cyan(`replay: ${r.replay.command}`)}\n`);
  }
  stdout.write(c.dim(`wrote ${files.junit}, ${files.json}, ${files.markdown}\n`));
  return exitCodeFor(merged.runs);
}

function readReport(ref: string): Report {
  const path = resolve(ref);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'report.json') : path;
  if (!existsSync(file)) throw new UsageError(`Expected a report folder or report.json at \`${ref}\`, but ${file} does not exist`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new UsageError(`Expected ${file} to be a logjam JSON report, but it is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseWith(ReportSchema, value, `The report ${file}`, 'Merge the report.json files that `logjam ci --shard i/n` wrote, unchanged.') as Report;
}

function suiteDifference(a: SuiteFingerprint | undefined, b: SuiteFingerprint): string {
  if (a === undefined) return 'the first has no fingerprint';
  const fields = ['adapters', 'scenarios', 'seeds', 'runs', 'logjam', 'node'] as const;
  // No `node`: the runs used the supervisor's own Node (no --node).
  const show = (f: (typeof fields)[number], s: SuiteFingerprint): string => (f === 'node' && s.node === undefined ? "the supervisor's Node (no --node)" : JSON.stringify(s[f]));
  const differ = fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
  return differ.map((f) => `${f} ${show(f, b)} where the first shard has ${show(f, a)}`).join('; ') || 'another fingerprint';
}

/**
 * Shards' reports back into plan order: shard i of n holds planned runs i-1, i-1+n, ... (see
 * `shardOf`), so the k-th run of shard i is planned run (k·n + i-1). Reports without a shard
 * are joined in the order given.
 */
export function mergeShardReports(reports: readonly Report[], command: string): Report {
  const first = reports[0];
  if (first === undefined) throw new UsageError('Expected at least one report to merge');
  let runs: RunResult[];
  const sharded = reports.filter((r) => r.shard !== undefined);
  if (sharded.length === 0) {
    runs = reports.flatMap((r) => r.runs);
  } else {
    if (sharded.length !== reports.length) throw new UsageError('Expected every report to come from `logjam ci --shard`, or none: some of these have a shard and some do not');
    // One suite: the same adapters, scenarios, seeds, runs and logjam, by the fingerprint ci writes.
    const suite = first.suite;
    for (const r of reports) {
      if (r.suite === undefined) {
        throw new UsageError(`Expected every shard to carry its suite's fingerprint, but shard ${r.shard?.index}/${r.shard?.count} has none: it was written by an older logjam (${r.environment.logjam}). Run every shard with the same logjam.`);
      }
      if (r.suite.fingerprint !== suite?.fingerprint) {
        throw new UsageError(`Expected shards of one suite, but shard ${r.shard?.index}/${r.shard?.count} ran another: ${suiteDifference(suite, r.suite)}. Merge only the shards of one \`logjam ci\` command.`);
      }
    }
    const count = first.shard?.count ?? 0;
    const planned = first.shard?.planned ?? 0;
    const byIndex = new Map<number, Report>();
    for (const r of reports) {
      const s = r.shard;
      if (s === undefined) continue;
      if (s.count !== count || s.planned !== planned) {
        throw new UsageError(`Expected shards of one suite, but shard ${s.index}/${s.count} (${s.planned} planned runs) does not match ${first.shard?.index}/${count} (${planned} planned runs)`);
      }
      if (byIndex.has(s.index)) throw new UsageError(`Expected each shard once, got shard ${s.index}/${count} twice`);
      byIndex.set(s.index, r);
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
    if (missing.length > 0) throw new UsageError(`Expected all ${count} shards, missing ${missing.map((i) => `${i}/${count}`).join(', ')}`);
    runs = [];
    for (let p = 0; p < planned; p++) {
      const run = byIndex.get((p % count) + 1)?.runs[Math.floor(p / count)];
      if (run === undefined) throw new UsageError(`Expected shard ${(p % count) + 1}/${count} to hold planned run ${p + 1} of ${planned}, but its report is shorter: was it cut off?`);
      runs.push(run);
    }
  }
  const startedAt = reports.map((r) => r.startedAt).sort()[0] ?? first.startedAt;
  return {
    schema: 'logjam.report/1',
    startedAt,
    // Shards run side by side: the suite took as long as its slowest shard.
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    environment: { ...first.environment, command },
    runs,
    summary: summaryOf(runs),
  };
}
