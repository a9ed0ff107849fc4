/**
 * The warm pool (harness/run/pool.ts): a run handed to a process started ahead gives the verdict
 * a cold process gives, and a run with no warm process waiting for it gets a cold one.
 */

import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Pool from '../../harness/run/pool.js';
import type * as Supervisor from '../../harness/run/supervisor.js';
import type * as Catalogue from '../../harness/cli/catalogue.js';
import type * as NodeCache from '../../harness/cli/node-cache.js';
import type { RunTimeline } from '../../harness/run/timeline.js';
import { ROOT } from './helpers.js';

const { WarmPool } = (await import(join(ROOT, 'dist', 'harness', 'run', 'pool.js'))) as typeof Pool;
const { superviseRun, launchFor } = (await import(join(ROOT, 'dist', 'harness', 'run', 'supervisor.js'))) as typeof Supervisor;
const { resolveAdapter, resolveScenario } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'catalogue.js'))) as typeof Catalogue;
const { cachedNodeBinary, cachedReleases, nodeCacheRoot, nodePackage } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'node-cache.js'))) as typeof NodeCache;

const workDir = mkdtempSync(join(tmpdir(), 'logjam-pool-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function options(): Promise<Parameters<typeof superviseRun>[0]> {
  return { adapter: await resolveAdapter('reference', ROOT), scenario: await resolveScenario('graceful-exit'), seed: 1, timeoutMs: 60_000, memoryMb: 1024, workDir };
}

describe('the warm pool', () => {
  it('hands a run to a process started ahead and gets the cold run\'s verdict', async () => {
    const base = await options();
    const cold = await superviseRun(base);
    const pool = new WarmPool(1);
    try {
      pool.prepare(launchFor(base));
      await pool.loaded();
      let timeline: RunTimeline | undefined;
      const warm = await superviseRun({ ...base, pool, onTimeline: (t) => (timeline = t) });
      expect(timeline?.warm).toBe(true);
      // Loaded before the run was due: the harness mark precedes it.
      expect(timeline?.child.harness).toBeLessThan(timeline?.due ?? 0);
      expect(warm.status).toBe(cold.status);
      expect(warm.status).toBe('pass');
      expect(warm.metrics.delivered).toBe(cold.metrics.delivered);
      expect(warm.findings.map((f) => f.kind)).toEqual(cold.findings.map((f) => f.kind));
    } finally {
      pool.close();
    }
  }, 120_000);

  it('starts a cold process when no warm one waits for the run', async () => {
    const base = await options();
    const pool = new WarmPool(1);
    try {
      pool.prepare(launchFor(base));
      await pool.loaded();
      // The parked process is ended and the pool closed: nothing may be handed to it.
      pool.close();
      let timeline: RunTimeline | undefined;
      const result = await superviseRun({ ...base, pool, onTimeline: (t) => (timeline = t) });
      expect(timeline?.warm).toBe(false);
      expect(result.status).toBe('pass');
    } finally {
      pool.close();
    }
  }, 120_000);

  it('never hands a run to a warm process started on another Node (`--node`)', async () => {
    const base = await options();
    // Another Node binary: a cached release when there is one, else this one under another path.
    const cached = cachedReleases(nodeCacheRoot(), nodePackage()).find((v) => `v${v}` !== process.version);
    const other = cached !== undefined ? (cachedNodeBinary(cached, nodeCacheRoot(), nodePackage()) as string) : join(workDir, 'other-node');
    if (cached === undefined) symlinkSync(process.execPath, other);
    const pool = new WarmPool(1);
    try {
      pool.prepare({ ...launchFor(base), node: other });
      await pool.loaded();
      let timeline: RunTimeline | undefined;
      const result = await superviseRun({ ...base, pool, onTimeline: (t) => (timeline = t) });
      expect(timeline?.warm).toBe(false);
      expect(result.node).toBe(process.version);
      expect(result.status).toBe('pass');
    } finally {
      pool.close();
    }
  }, 120_000);
});
