/**
 * Rates, not single outcomes: over repeated runs (`--runs N`) of one adapter and scenario, how
 * often each finding kind showed. A bug that shows in half the runs is reported as 50 %, with
 * the seeds that show it, each replayable.
 */

import type { FindingKind, FindingRate, RunResult } from './result.js';

export type { FindingRate };

export function findingRates(runs: readonly RunResult[]): FindingRate[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    if (run.status === 'skip') continue;
    const key = `${run.adapter}\u0000${run.scenario}`;
    const group = groups.get(key) ?? [];
    group.push(run);
    groups.set(key, group);
  }
  const rates: FindingRate[] = [];
  for (const group of groups.values()) {
    const first = group[0];
    if (first === undefined) continue;
    const kinds = new Map<FindingKind, { seen: number; failing: number; seeds: number[] }>();
    for (const run of group) {
      const inRun = new Map<FindingKind, boolean>();
      for (const f of run.findings) {
        if (f.severity === 'info') continue;
        inRun.set(f.kind, (inRun.get(f.kind) ?? false) || f.severity === 'error');
      }
      for (const [kind, failing] of inRun) {
        const k = kinds.get(kind) ?? { seen: 0, failing: 0, seeds: [] };
        k.seen++;
        if (failing) k.failing++;
        k.seeds.push(run.seed);
        kinds.set(kind, k);
      }
    }
    for (const [kind, k] of kinds) {
      rates.push({ adapter: first.adapter, scenario: first.scenario, kind, runs: group.length, seen: k.seen, failing: k.failing, rate: k.seen / group.length, seeds: k.seeds });
    }
  }
  return rates;
}
