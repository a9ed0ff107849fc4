import { describe, expect, it } from 'vitest';
import type { BenchmarkResult, Spread } from '../../harness/contract/benchmark-protocol.js';
import { spreadOf } from '../../harness/run/benchmark.js';
import { formatSpread, rankings } from '../../reports/ranking.js';

const flat = (x: number): Spread => ({ min: x, median: x, max: x });

/** A finished case whose delivered records/s spread over the iterations is `rate`. */
function result(adapter: string, rate: Spread, threads = 1, status: BenchmarkResult['status'] = 'ok'): BenchmarkResult {
  return {
    adapter,
    shape: 'simple',
    threads,
    recordsPerThread: 1000,
    sizing: { by: 'time', minLoggingMs: 1000, capped: false },
    fields: true,
    status,
    samples: [],
    ...(status === 'ok' ? { spread: { deliveredPerSec: rate, shutdownMs: flat(10), cpuNsPerRecord: flat(3000), loggingMs: flat(1000) } } : {}),
  };
}

describe('the spread of a figure over iterations', () => {
  it('is the least, the middle and the greatest value, whatever order the iterations came in', () => {
    expect(spreadOf([30, 10, 20])).toEqual({ min: 10, median: 20, max: 30 });
  });

  it('takes the mean of the middle two for an even count', () => {
    expect(spreadOf([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('is one value three times for a single iteration', () => {
    expect(spreadOf([7])).toEqual({ min: 7, median: 7, max: 7 });
  });
});

describe('the ranking compare prints', () => {
  it('orders adapters by median delivered records/s within each shape and thread count', () => {
    const ranked = rankings([
      result('pino-sync', { min: 150, median: 160, max: 170 }),
      result('reference', { min: 300, median: 320, max: 330 }),
      result('pino-async', { min: 180, median: 190, max: 200 }),
      result('reference', { min: 200, median: 210, max: 220 }, 2),
    ]);
    expect(ranked.map((r) => [r.threads, r.rows.map((row) => row.adapter)])).toEqual([
      [1, ['reference', 'pino-async', 'pino-sync']],
      [2, ['reference']],
    ]);
    expect(ranked[0]?.rows.map((row) => row.rank)).toEqual([1, 2, 3]);
  });

  it('marks two neighbours whose spreads overlap as within the noise, and apart ones as ordered', () => {
    const [r] = rankings([
      result('a', { min: 90, median: 120, max: 130 }),
      result('b', { min: 80, median: 100, max: 105 }),
      result('c', { min: 10, median: 20, max: 30 }),
    ]);
    expect(r?.rows.map((row) => [row.adapter, row.overlapsNext])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);
  });

  it('leaves out cases that were skipped or failed', () => {
    const [r] = rankings([result('a', flat(10)), result('b', flat(20), 1, 'skip'), result('c', flat(30), 1, 'error')]);
    expect(r?.rows.map((row) => row.adapter)).toEqual(['a']);
  });

  it('formats a spread as median (min–max)', () => {
    expect(formatSpread({ min: 1200, median: 1534.4, max: 2100 })).toBe('1,534 (1,200–2,100)');
    expect(formatSpread({ min: 1, median: 2.25, max: 3 }, 1)).toBe('2.3 (1.0–3.0)');
  });
});
