/**
 * Where a run's time goes (issue 17): spawn to ready (module loading included), adapter setup,
 * the scenario (first record to last), shutdown, exit and the supervisor's read-back, for a trivial scenario and for the catalogue's
 * median one, cold (a process started when the run is due) and warm (started ahead by the
 * pool), side by side with `node -e 0` measured in the same run. Medians over the repetitions;
 * nothing asserts. Target: overhead (wall minus the scenario) ≤ 150 ms median for a passing run.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdapter, resolveScenario } from '../harness/cli/catalogue.js';
import { superviseRun } from '../harness/run/supervisor.js';
import { WarmPool, type Launch } from '../harness/run/pool.js';
import { launchFor } from '../harness/run/supervisor.js';
import { phasesOf, phasesTotal, type RunPhases } from '../harness/run/timeline.js';

/** A passing run that does almost nothing: 112 records and a clean exit. */
export const TRIVIAL = 'graceful-exit';
/**
 * The catalogue's median scenario by wall time with the reference adapter, measured with
 * `logjam ci --adapter reference --json` (see docs/config.md's figures): steady.
 */
export const MEDIAN = 'steady';

const median = (xs: readonly number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function nodeBaseline(times: number): number {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function benchPhases(repeats = Number(process.env['LOGJAM_BENCH_REPEATS'] ?? 7)): Promise<Record<string, Record<string, number>>> {
  const cwd = process.cwd();
  process.env['LOGJAM_PROJECT'] ??= cwd;
  const adapter = await resolveAdapter('reference', cwd);
  const workDir = mkdtempSync(join(tmpdir(), 'logjam-bench-'));
  const rows: Record<string, Record<string, number>> = {};
  const base = nodeBaseline(repeats);
  rows['node -e 0'] = { wall: base };
  try {
    for (const name of [TRIVIAL, MEDIAN]) {
      const scenario = await resolveScenario(name);
      for (const mode of ['cold', 'warm'] as const) {
        const phases: RunPhases[] = [];
        const pool = mode === 'warm' ? new WarmPool(1) : undefined;
        const options = { adapter, scenario, seed: 1, timeoutMs: 60_000, memoryMb: 2048, workDir };
        const launch: Launch = launchFor(options);
        pool?.prepare(launch);
        let statuses = '';
        // The first run of each row warms up (and, warm, finds its process still loading): not counted.
        for (let i = -1; i < repeats; i++) {
          // The pool starts the next run's process while this one runs, as the suite does.
          const result = await superviseRun({
            ...options,
            ...(pool !== undefined ? { pool, next: launch } : {}),
            onTimeline: (t) => {
              if (i >= 0) phases.push(phasesOf(t));
            },
          });
          if (i >= 0) statuses += result.status[0];
        }
        pool?.close();
        const row: Record<string, number> = {};
        for (const key of ['ready', 'setup', 'scenario', 'shutdown', 'exit', 'readBack'] as const) {
          row[key] = Math.round(median(phases.map((p) => p[key])));
        }
        row['wall'] = Math.round(median(phases.map(phasesTotal)));
        row['overhead'] = Math.round(median(phases.map((p) => phasesTotal(p) - p.scenario)));
        row['overhead / node -e 0'] = Math.round((row['overhead'] / base) * 100) / 100;
        rows[`${name}, ${mode} (${statuses})`] = row;
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return rows;
}

export function printPhases(rows: Record<string, Record<string, number>>): void {
  console.log(`\nWhere a run's time goes, ms (median of runs; reference adapter; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.table(rows);
}

// `node dist/bench/phases.js` runs this table alone.
if (import.meta.url === `file://${process.argv[1]}`) printPhases(await benchPhases());
