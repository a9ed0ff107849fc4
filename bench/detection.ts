/**
 * `npm run bench:detection [-- --runs N --reference-runs M --only abba,lost-wakeup,reference]`: the
 * watchdog's detection power.
 * Each seeded defect runs N times (default 100) against the scenario that targets it, with a
 * fresh seed each time: the detection rate of the finding kind it must produce, and the median
 * and worst time from the run's start to that finding reaching the supervisor (for deadlocks,
 * also from the deadlock forming to its report). The correct reference logger runs M times
 * (default 200) across the scenarios: every error-severity finding there is a false one.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILTIN_ADAPTER_NAMES } from '../adapters/index.js';
import { isPythonAdapterName } from '../adapters/python.js';
import type { FindingKind } from '../harness/contract/result.js';
import { resolveAdapter, resolveScenario } from '../harness/cli/catalogue.js';
import { superviseRun } from '../harness/run/supervisor.js';

interface Target {
  readonly adapter: string;
  readonly scenario: string;
  /** The run is a detection when any of these kinds is found. */
  readonly kinds: readonly FindingKind[];
  /** Only findings whose every lock-order edge carries a site like this count (Python file:line sites). */
  readonly sites?: RegExp;
}

const TARGETS: readonly Target[] = [
  { adapter: 'reference-bug-abba', scenario: 'lock-inversion', kinds: ['lock-order-cycle', 'deadlock'] },
  { adapter: 'reference-bug-three-lock', scenario: 'lock-inversion', kinds: ['lock-order-cycle', 'deadlock'] },
  { adapter: 'reference-bug-flush-holds-lock', scenario: 'lock-inversion', kinds: ['hang', 'deadlock', 'lock-order-cycle'] },
  { adapter: 'reference-bug-lost-wakeup', scenario: 'steady', kinds: ['hang'] },
  { adapter: 'reference-bug-recursive', scenario: 'steady', kinds: ['recursive-lock'] },
  { adapter: 'reference-bug-silent-drop', scenario: 'steady', kinds: ['lost-records'] },
  { adapter: 'reference-bug-swap-loses', scenario: 'reconfigure-under-load', kinds: ['lost-records'] },
  { adapter: 'reference-bug-exit-no-drain', scenario: 'exit-after-logging', kinds: ['exit-loss'] },
  // The seeds' own deadlock in Python (LogXide's registry mutex against the interpreter lock):
  // flagged as a lock-order cycle with Python sites on both edges, on every run.
  { adapter: 'python-bug-abba', scenario: 'lock-inversion', kinds: ['lock-order-cycle'], sites: /^at \S+\.py:\d+ in / },
  { adapter: 'python-bug-wedge', scenario: 'steady', kinds: ['hang'] },
];

const REFERENCE_SCENARIOS = ['steady', 'lock-inversion', 'reconfigure-under-load', 'graceful-exit', 'exit-after-logging'];

const { values } = parseArgs({ options: { runs: { type: 'string' }, 'reference-runs': { type: 'string' }, only: { type: 'string' } } });
const runs = Number(values.runs ?? 100);
const referenceRuns = Number(values['reference-runs'] ?? 200);
/** `--only abba,lost-wakeup,reference`: the defects whose names contain one of these, and the correct reference's runs only if `reference` is listed. */
const only = values.only?.split(',');
const workDir = mkdtempSync(join(tmpdir(), 'logjam-detection-'));

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function once(adapterName: string, scenarioName: string, seed: number) {
  const adapter = await resolveAdapter(adapterName, process.cwd());
  const scenario = await resolveScenario(scenarioName);
  const started = performance.now();
  const arrivals = new Map<string, number>();
  const result = await superviseRun({
    adapter,
    scenario,
    seed,
    timeoutMs: 30_000,
    memoryMb: 2048,
    workDir,
    onEvent: (event) => {
      if (event.type === 'finding' && !arrivals.has(event.finding.kind)) arrivals.set(event.finding.kind, performance.now() - started);
    },
  });
  return { result, arrivals };
}

const rows: Record<string, unknown>[] = [];
const report: Record<string, unknown> = {};
for (const target of TARGETS) {
  if (only !== undefined && !only.some((o) => o !== 'reference' && target.adapter.includes(o))) continue;
  if (!(BUILTIN_ADAPTER_NAMES as readonly string[]).includes(target.adapter) && !isPythonAdapterName(target.adapter)) {
    rows.push({ defect: target.adapter, scenario: target.scenario, detected: 'not bundled' });
    continue;
  }
  let detected = 0;
  const times: number[] = [];
  const formToReport: number[] = [];
  const kindCounts: Record<string, number> = {};
  /** The runs that found nothing expected: their seeds replay them (`logjam run --seed`). */
  const missed: { seed: number; params: unknown; produced: number; kinds: string[] }[] = [];
  for (let i = 0; i < runs; i++) {
    const { result, arrivals } = await once(target.adapter, target.scenario, 1000 + i);
    for (const kind of new Set(result.findings.map((f) => f.kind))) kindCounts[kind] = (kindCounts[kind] ?? 0) + 1;
    // Findings streamed by the child carry their arrival time; those the supervisor makes from
    // the ledger after the run (lost records, exit loss) are known when the run ends.
    const sited = (f: (typeof result.findings)[number]): boolean =>
      target.sites === undefined || ((f.evidence['edges'] as { site: string }[] | undefined) ?? []).every((e) => target.sites?.test(e.site) === true);
    const hits = target.kinds
      .map((k) => {
        const found = result.findings.some((f) => f.kind === k && (target.sites === undefined || (f.severity === 'error' && sited(f))));
        return found ? (arrivals.get(k) ?? result.metrics.wallMs) : undefined;
      })
      .filter((t) => t !== undefined);
    if (hits.length > 0) {
      detected++;
      times.push(Math.min(...hits));
    } else missed.push({ seed: 1000 + i, params: result.params, produced: result.metrics.produced, kinds: result.findings.map((f) => f.kind) });
    const deadlock = result.findings.find((f) => f.kind === 'deadlock');
    if (deadlock !== undefined) formToReport.push(Number(deadlock.evidence['detectedAtMs']) - Number(deadlock.evidence['formedAtMs']));
  }
  times.sort((a, b) => a - b);
  formToReport.sort((a, b) => a - b);
  const entry = {
    runs,
    detected,
    rate: detected / runs,
    kinds: kindCounts,
    medianMs: Math.round(percentile(times, 50)),
    worstMs: Math.round(times[times.length - 1] ?? NaN),
    deadlocksFormed: formToReport.length,
    deadlockFormToReportMedianMs: formToReport.length > 0 ? percentile(formToReport, 50) : undefined,
    deadlockFormToReportWorstMs: formToReport.length > 0 ? formToReport[formToReport.length - 1] : undefined,
    missed,
  };
  report[target.adapter] = { scenario: target.scenario, expected: target.kinds, ...entry };
  rows.push({
    defect: target.adapter,
    scenario: target.scenario,
    detected: `${detected}/${runs}`,
    'median ms': entry.medianMs,
    'worst ms': entry.worstMs,
    'deadlocks (form→report median ms)': formToReport.length > 0 ? `${formToReport.length} (${entry.deadlockFormToReportMedianMs})` : '-',
    kinds: Object.entries(kindCounts).map(([k, n]) => `${k}:${n}`).join(' '),
  });
  console.log(`${target.adapter}: ${detected}/${runs}`);
  for (const m of missed) console.log(`  missed: seed ${m.seed} ${JSON.stringify(m.params)}, ${m.produced} records, findings [${m.kinds.join(', ')}]`);
}

let falseFindings = 0;
const falseKinds: Record<string, number> = {};
let referenceDone = 0;
if ((BUILTIN_ADAPTER_NAMES as readonly string[]).includes("reference") && (only === undefined || only.includes('reference'))) {
  for (let i = 0; i < referenceRuns; i++) {
    const scenario = REFERENCE_SCENARIOS[i % REFERENCE_SCENARIOS.length] as string;
    const { result } = await once('reference', scenario, 5000 + i);
    referenceDone++;
    for (const f of result.findings) {
      if (f.severity !== 'error') continue;
      falseFindings++;
      falseKinds[`${scenario}/${f.kind}`] = (falseKinds[`${scenario}/${f.kind}`] ?? 0) + 1;
    }
  }
  report['reference'] = { runs: referenceDone, scenarios: REFERENCE_SCENARIOS, falseFindings, falseKinds };
}

console.table(rows);
console.log(`reference logger: ${referenceDone} runs across ${REFERENCE_SCENARIOS.join(', ')}: ${falseFindings} false findings ${JSON.stringify(falseKinds)}`);
writeFileSync('bench-results-detection.json', `${JSON.stringify({ node: process.version, report }, null, 2)}\n`);
console.log('written: bench-results-detection.json');
rmSync(workDir, { recursive: true, force: true });
