/**
 * Issue 17, item 6: `logjam compare`'s default ranking against this bench's own side-by-side
 * delivered figures (bench/reference.ts), for the loggers both measure (the reference logger,
 * pino-async, pino-sync; simple records; 1 and 2 producer threads), in the same run.
 *
 * compare runs with its defaults (iterations sized to at least a second of logging, three
 * iterations each its own process) through the same code the CLI uses. The bench's figure is
 * records over first call to last flush in one warm process, best of its rounds; compare's is
 * records over first call to last write into the file, median of its iterations. They are not
 * the same number; what must agree is the order, except where compare marks two neighbours as
 * within the noise (their spreads overlap). Nothing asserts: the table says agree or not.
 */

import { resolveAdapter } from '../harness/cli/catalogue.js';
import { COMPARE_DEFAULTS } from '../harness/cli/commands/compare.js';
import { runBenchmarks } from '../harness/run/benchmark.js';
import { formatSpread, rankings } from '../reports/ranking.js';
import type { ReferenceDelivered } from './reference.js';

/** compare's adapter name → the bench's configuration of the same logger. */
const BOTH = { reference: 'reference', 'pino-async': 'pino-async', 'pino-sync': 'pino-sync' } as const;

export interface AgreementRow {
  readonly threads: number;
  readonly bench: readonly string[];
  readonly compare: readonly string[];
  /** Every pair the two orders put differently is one compare calls within the noise. */
  readonly agree: boolean;
  readonly detail: string;
}

export async function benchAgreement(reference: ReferenceDelivered): Promise<AgreementRow[]> {
  const adapters = [];
  for (const name of Object.keys(BOTH)) adapters.push(await resolveAdapter(name, process.cwd()));
  const threads = [...COMPARE_DEFAULTS.threads];
  const results = await runBenchmarks({ adapters, shapes: ['simple'], threads, minLoggingMs: COMPARE_DEFAULTS.minLoggingMs, iterations: COMPARE_DEFAULTS.iterations });
  return rankings(results).map((r) => {
    const compare = r.rows.map((row, i) => `${row.adapter}${i < r.rows.length - 1 ? (row.overlapsNext ? ' \u2248' : ' >') : ''}`);
    const bench = (Object.keys(BOTH) as (keyof typeof BOTH)[])
      .map((name) => ({ name, perSec: reference[`${BOTH[name]}/${r.threads}/simple`]?.perSec ?? Number.NaN }))
      .sort((a, b) => b.perSec - a.perSec)
      .map((x) => x.name);
    // A pair in a different order agrees only where compare's spreads of the two overlap.
    const spreadOf = (name: string) => r.rows.find((row) => row.adapter === name)?.deliveredPerSec;
    let agree = true;
    for (let i = 0; i < bench.length; i++) {
      for (let j = i + 1; j < bench.length; j++) {
        const hi = spreadOf(bench[i] ?? '');
        const lo = spreadOf(bench[j] ?? '');
        if (hi === undefined || lo === undefined) agree = false;
        else if (hi.median < lo.median && hi.max < lo.min) agree = false;
      }
    }
    const detail = r.rows.map((row) => `${row.adapter} ${formatSpread(row.deliveredPerSec)}`).join('; ');
    return { threads: r.threads, bench, compare, agree, detail };
  });
}

export function printAgreement(rows: readonly AgreementRow[]): void {
  console.log("\n`logjam compare`'s default ranking beside this bench's delivered records/s (same run; simple records)");
  console.table(rows.map((r) => ({ producers: r.threads, 'npm run bench order': r.bench.join(' > '), 'compare order (\u2248: spreads overlap)': r.compare.join(' '), agree: r.agree ? 'yes' : 'NO' })));
  for (const r of rows) console.log(`  compare ×${r.threads}, delivered/s median (min–max): ${r.detail}`);
}
