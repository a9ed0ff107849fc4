/**
 * A real run's phases in the JSON report (`runs[].phases`): every phase present and
 * non-negative, adding up to the run's wall, for a run whose producer threads log (steady) and
 * one that ends by calling process.exit from the main thread (exit-after-logging).
 */

import { describe, expect, it } from 'vitest';
import { logjamReport } from './helpers.js';

const PHASES = ['ready', 'setup', 'scenario', 'shutdown', 'exit', 'readBack'] as const;

describe("a run's phases in the report", () => {
  it('are present, non-negative and add up to the wall', () => {
    const { cli, report } = logjamReport(['run', '--adapter', 'reference', '--scenario', 'steady,exit-after-logging', '--seed', '1', '--jobs', '1'], 120_000);
    expect(cli.code, cli.stderr).toBe(0);
    expect(report.runs.map((r) => r.scenario).sort()).toEqual(['exit-after-logging', 'steady']);
    for (const run of report.runs) {
      const p = run.phases;
      expect(p, run.scenario).toBeDefined();
      if (p === undefined) continue;
      for (const key of PHASES) {
        expect(Number.isInteger(p[key]), `${run.scenario} ${key}`).toBe(true);
        expect(p[key], `${run.scenario} ${key}`).toBeGreaterThanOrEqual(0);
      }
      // Every step reported by a passing run; rounding each phase to whole ms moves the sum by a few.
      expect(p.missing, run.scenario).toBeUndefined();
      const sum = PHASES.reduce((s, key) => s + p[key], 0);
      expect(Math.abs(sum - run.metrics.wallMs), `${run.scenario}: phases ${JSON.stringify(p)} vs wall ${run.metrics.wallMs}`).toBeLessThanOrEqual(4);
      // The process had its run, and the scenario logged, in every passing run.
      expect(p.ready + p.setup, run.scenario).toBeGreaterThan(0);
      expect(p.exit, run.scenario).toBeGreaterThan(0);
    }
    const steady = report.runs.find((r) => r.scenario === 'steady');
    // steady's producer threads log thousands of records: the span between first and last is real time.
    expect(steady?.phases?.scenario).toBeGreaterThan(0);
    const threads = steady?.phases?.threads;
    expect(threads).toBeDefined();
    // Each thread loads the harness, then the adapter, then creates its logger and waits at the gate.
    expect(threads?.harness).toBeLessThanOrEqual(threads?.adapter ?? -1);
    expect(threads?.adapter).toBeLessThanOrEqual(threads?.ready ?? -1);
    expect(threads?.ready).toBeLessThanOrEqual(steady?.phases?.setup ?? -1);
    // exit-after-logging starts no producer threads.
    expect(report.runs.find((r) => r.scenario === 'exit-after-logging')?.phases?.threads).toBeUndefined();
  });

  it('shows every run after the first given a warm process, runs its adapter skips in between included', () => {
    // The reference adapter has no TCP or HTTP transport: the two collector scenarios are skipped
    // by its capabilities. Each run that starts a process starts the next one's, so no run after
    // the first waits for a cold process (they used to: each skipped run took the next run's
    // warm process for itself and never started it).
    const scenarios = ['graceful-exit', 'tcp-collector', 'http-collector', 'natural-exit', 'exit-after-logging', 'natural-exit-graceful'];
    const { cli, report } = logjamReport(['run', '--adapter', 'reference', '--scenario', scenarios.join(','), '--seed', '1', '--jobs', '1'], 120_000);
    expect(cli.code, cli.stderr).toBe(0);
    const ran = report.runs.filter((r) => r.status !== 'skip');
    expect(ran.map((r) => r.scenario)).toEqual(['graceful-exit', 'natural-exit', 'exit-after-logging', 'natural-exit-graceful']);
    expect(ran.map((r) => r.phases?.warm)).toEqual([false, true, true, true]);
    // A run skipped for its adapter's capabilities never had a process, so it has no phases.
    for (const r of report.runs.filter((x) => x.status === 'skip')) expect(r.phases).toBeUndefined();
  });
});
