/**
 * Verdicts side by side: two logjam.report/1 files (before/after a change, or `--jobs 1` against
 * the default) compared run by run on pass/fail/skip/error. Prints every run whose status
 * differs, with both statuses and the failing kinds, then the counts. Exit code 0 when every
 * run both reports made has the same status, 1 otherwise; runs only one report made are listed.
 *
 *   node dist/bench/verdicts.js before/report.json after/report.json
 */

import { readFileSync } from 'node:fs';
import type { Report, RunResult } from '../harness/contract/result.js';

const keyOf = (r: RunResult): string => `${r.adapter} × ${r.scenario} seed ${r.seed}`;
const kinds = (r: RunResult): string => [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.kind))].join(',');
const describeRun = (r: RunResult | undefined): string =>
  r === undefined ? '(absent)' : `${r.status}${kinds(r) !== '' ? ` [${kinds(r)}]` : ''}${r.status === 'skip' || r.status === 'error' ? ` (${(r.reason ?? '').slice(0, 60)})` : ''}`;

export function compareVerdicts(before: Report, after: Report): { same: number; differ: string[]; onlyOne: string[] } {
  const a = new Map(before.runs.map((r) => [keyOf(r), r]));
  const b = new Map(after.runs.map((r) => [keyOf(r), r]));
  const differ: string[] = [];
  const onlyOne: string[] = [];
  let same = 0;
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (x === undefined || y === undefined) onlyOne.push(`${key}: ${describeRun(x)} -> ${describeRun(y)}`);
    else if (x.status !== y.status) differ.push(`${key}: ${describeRun(x)} -> ${describeRun(y)}`);
    else same++;
  }
  return { same, differ, onlyOne };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [fileA, fileB] = process.argv.slice(2);
  if (fileA === undefined || fileB === undefined) {
    process.stderr.write('usage: node dist/bench/verdicts.js BEFORE.json AFTER.json\n');
    process.exit(2);
  }
  const read = (f: string): Report => JSON.parse(readFileSync(f, 'utf8')) as Report;
  const before = read(fileA);
  const after = read(fileB);
  const { same, differ, onlyOne } = compareVerdicts(before, after);
  const count = (r: Report): string => `${r.summary.pass} pass, ${r.summary.fail} fail, ${r.summary.skip} skip, ${r.summary.error} error in ${Math.round(r.durationMs / 1000)} s`;
  console.log(`before: ${fileA}: ${count(before)}`);
  console.log(`after:  ${fileB}: ${count(after)}`);
  console.log(`${same} runs with the same status; ${differ.length} differ; ${onlyOne.length} in one report only`);
  for (const line of differ) console.log(`  differs: ${line}`);
  for (const line of onlyOne) console.log(`  one only: ${line}`);
  process.exitCode = differ.length === 0 ? 0 : 1;
}
