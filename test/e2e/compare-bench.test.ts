/**
 * `logjam compare` measures the loggers (issue 17, item 6): each iteration is sized by a
 * calibration run to a minimum time of logging, delivered throughput, shutdown and CPU per
 * record are separate figures with their spread over the iterations, and the ranking is printed.
 * Nothing here is a timed assertion: the stop rule (a producer logs until it has logged for the
 * minimum, or its records run out) and the figures' consistency hold on any machine.
 */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareModel } from '../../reports/compare-model.js';
import { logjam, scratchDir } from './helpers.js';

const dir = scratchDir();
let cli: ReturnType<typeof logjam>;
let model: CompareModel;

beforeAll(() => {
  cli = logjam(
    ['compare', '--adapter', 'reference,pino-sync', '--scenario', 'graceful-exit', '--shape', 'simple', '--threads', '1,2', '--duration', '300ms', '--iterations', '2', '--out', dir],
    240_000,
  );
  model = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as CompareModel;
}, 250_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logjam compare benchmarks', () => {
  it('sizes every iteration by time: each producer logs at least the minimum unless its calibrated records run out', () => {
    expect(cli.code).toBe(0);
    expect(model.bench).toMatchObject({ minLoggingMs: 300, iterations: 2, threads: [1, 2] });
    expect(model.benchmarks.map((b) => `${b.adapter} ×${b.threads} ${b.status}`)).toEqual(['reference ×1 ok', 'reference ×2 ok', 'pino-sync ×1 ok', 'pino-sync ×2 ok']);
    for (const b of model.benchmarks) {
      expect(b.sizing).toMatchObject({ by: 'time', minLoggingMs: 300 });
      expect(b.samples).toHaveLength(2);
      for (const s of b.samples) {
        const ranOut = s.produced === b.recordsPerThread * b.threads;
        if (!ranOut) expect(s.loggingMs).toBeGreaterThanOrEqual(300);
        expect(s.produced).toBeLessThanOrEqual(b.recordsPerThread * b.threads);
      }
    }
  });

  it('reports delivered throughput, shutdown and CPU per record as separate figures, each with its spread', () => {
    for (const b of model.benchmarks) {
      for (const s of b.samples) {
        // Both loggers deliver every record on a documented close.
        expect(s.delivered).toBe(s.produced);
        expect(s.deliveredMs).toBeGreaterThan(0);
        expect(s.deliveredMs).toBeLessThanOrEqual(s.wallMs + 20);
        // Both are rounded (the rate to a record, the time to 10 µs): equal to a thousandth.
        expect(s.deliveredPerSec / (s.delivered / (s.deliveredMs / 1000))).toBeCloseTo(1, 3);
        expect(s.shutdownMs).toBeGreaterThanOrEqual(0);
        expect(s.shutdownMs).toBeLessThanOrEqual(s.wallMs);
        expect(s.cpuNsPerRecord).toBeGreaterThan(0);
      }
      const spread = b.spread;
      expect(spread).toBeDefined();
      for (const figure of ['deliveredPerSec', 'shutdownMs', 'cpuNsPerRecord', 'loggingMs'] as const) {
        const values = b.samples.map((s) => s[figure]);
        expect(spread?.[figure]).toEqual({ min: Math.min(...values), median: Math.round(((values[0] ?? 0) + (values[1] ?? 0)) * 50) / 100, max: Math.max(...values) });
      }
    }
  });

  it('prints and writes the ranking by median delivered records/s', () => {
    expect(cli.stdout).toMatch(/Ranking by delivered records\/s/);
    expect(cli.stdout).toMatch(/simple ×1: (reference|pino-sync) [\d,]+ [>≈] (reference|pino-sync) [\d,]+\n/);
    const md = readFileSync(join(dir, 'compare.md'), 'utf8');
    expect(md).toContain('| adapter | shape | threads | logged/thread | delivered/s | shutdown ms | CPU ns/record | logging ms |');
    expect(md).toMatch(/- simple ×2: (reference|pino-sync) \d+ [>≈] (reference|pino-sync) \d+/);
    const html = readFileSync(join(dir, 'compare.html'), 'utf8');
    expect(html).toContain('<ul id="ranking">');
  });

  it('refuses a fixed size and a time together, naming both flags', () => {
    const r = logjam(['compare', '--records', '1000', '--duration', '1s', '--no-bench', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('`--records`');
    expect(r.stderr).toContain('`--duration`');
  });
});
