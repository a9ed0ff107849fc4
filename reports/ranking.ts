/**
 * The benchmarks' ranking: for each shape and producer-thread count, the adapters by median
 * delivered records per second. Two neighbours whose spreads (min to max over the iterations)
 * overlap are not told apart by this many iterations, and the ranking says so rather than
 * putting one above the other on noise. Pure, over the compare model's benchmark results.
 */

import type { BenchmarkResult, BenchShape, Spread } from '../harness/contract/benchmark-protocol.js';

export interface RankedRow {
  /** 1 for the fastest; neighbours that overlap keep their own place but are marked. */
  readonly rank: number;
  readonly adapter: string;
  readonly deliveredPerSec: Spread;
  readonly shutdownMs: Spread;
  readonly cpuNsPerRecord: Spread;
  /** The spread overlaps the next row's: the order of these two is within the noise. */
  readonly overlapsNext: boolean;
}

export interface Ranking {
  readonly shape: BenchShape;
  readonly threads: number;
  readonly rows: readonly RankedRow[];
}

export function rankings(benchmarks: readonly BenchmarkResult[]): Ranking[] {
  const groups = new Map<string, { shape: BenchShape; threads: number; results: BenchmarkResult[] }>();
  for (const b of benchmarks) {
    if (b.status !== 'ok' || b.spread === undefined) continue;
    const key = `${b.shape}\0${b.threads}`;
    const group = groups.get(key) ?? { shape: b.shape, threads: b.threads, results: [] };
    group.results.push(b);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ shape, threads, results }) => {
    const sorted = results
      .flatMap((b) => (b.spread !== undefined ? [{ adapter: b.adapter, s: b.spread }] : []))
      .sort((a, b) => b.s.deliveredPerSec.median - a.s.deliveredPerSec.median);
    const rows = sorted.map(({ adapter, s }, i): RankedRow => {
      const next = sorted[i + 1]?.s.deliveredPerSec;
      return {
        rank: i + 1,
        adapter,
        deliveredPerSec: s.deliveredPerSec,
        shutdownMs: s.shutdownMs,
        cpuNsPerRecord: s.cpuNsPerRecord,
        overlapsNext: next !== undefined && s.deliveredPerSec.min <= next.max,
      };
    });
    return { shape, threads, rows };
  });
}

/** `median (min–max)`, rounded for reading. */
export function formatSpread(s: Spread, digits = 0): string {
  const f = (x: number): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
