/**
 * The watchdog against loggers that take instrumented locks in known patterns. Each fixture puts
 * its threads into the pattern through shared-memory handshakes, so every run forms the same
 * state; the assertions are on verdicts and evidence, and on the run ending within its bound.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/contract/result.js';
import { api, FIXTURES, scratchDir } from './helpers.js';

const TIMEOUT_MS = 20_000;

async function run(fixture: string, scenario = 'steady') {
  const ref = fixture.startsWith('reference-') ? fixture : join(FIXTURES, 'adapters', `${fixture}.ts`);
  const adapter = await api.resolveAdapter(ref, process.cwd());
  const started = performance.now();
  const result = await api.superviseRun({
    adapter,
    scenario: await api.resolveScenario(scenario),
    seed: 5,
    timeoutMs: TIMEOUT_MS,
    memoryMb: 1024,
    hangMs: 2000,
    workDir: scratchDir(),
  });
  return { result, ms: performance.now() - started };
}

const only = (findings: readonly Finding[], kind: string): Finding => {
  const found = findings.filter((f) => f.kind === kind);
  expect(found, `one ${kind} finding in ${JSON.stringify(findings.map((f) => f.kind))}`).toHaveLength(1);
  return found[0] as Finding;
};

describe('the watchdog', () => {
  it('reports an ABBA deadlock as it forms, naming both locks, holders, waiters and sites', async () => {
    const { result, ms } = await run('locks-abba');
    expect(result.status).toBe('fail');
    const deadlock = only(result.findings, 'deadlock');
    expect(deadlock.severity).toBe('error');
    const threads = deadlock.evidence['threads'] as { thread: string; holds: { lock: string; site: string }[]; waitsFor: string; waitSite: string }[];
    expect(threads.map((t) => t.thread).sort()).toEqual(['producer-0', 'producer-1']);
    const p0 = threads.find((t) => t.thread === 'producer-0');
    expect(p0?.holds.map((h) => h.lock)).toEqual([expect.stringMatching(/^fixture\.a#\d+$/)]);
    expect(p0?.waitsFor).toMatch(/^fixture\.b#\d+$/);
    expect(p0?.waitSite).toContain('locks.ts');
    // Reported before any hang window could pass: it was seen as it formed.
    expect((deadlock.evidence['detectedAtMs'] as number) - (deadlock.evidence['formedAtMs'] as number)).toBeLessThan(1000);
    expect((deadlock.evidence['scenario'] as string[]).join('\n')).toContain('*** DEADLOCK ***');
    expect(result.findings.some((f) => f.kind === 'hang')).toBe(false);

    const cycle = only(result.findings, 'lock-order-cycle');
    expect(cycle.severity).toBe('error');
    expect(cycle.evidence['classes']).toEqual(expect.arrayContaining(['fixture.a', 'fixture.b']));
    const edges = cycle.evidence['edges'] as { from: string; to: string; thread: string; site: string }[];
    expect(edges).toHaveLength(2);
    for (const e of edges) expect(e.site).toContain('locks.ts');
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('reports a thread taking a non-reentrant lock it holds as recursive-lock, and the run goes on', async () => {
    const { result } = await run('locks-recursive');
    expect(result.status).toBe('fail');
    const recursive = only(result.findings, 'recursive-lock');
    expect(recursive.evidence['sameInstance']).toBe(true);
    expect(recursive.evidence['lockClass']).toBe('fixture.a');
    expect(recursive.evidence['thread']).toBe('producer-0');
    expect(recursive.evidence['site']).toContain('locks.ts');
    // The LockError let the logger carry on: nothing lost, nothing hung.
    expect(result.metrics.lost).toBe(0);
    expect(result.findings.some((f) => f.kind === 'hang' || f.kind === 'deadlock')).toBe(false);
  });

  it('reports a cycle all in one thread as information, not a failure', async () => {
    const { result } = await run('locks-single-thread-cycle');
    const cycle = only(result.findings, 'lock-order-cycle');
    expect(cycle.severity).toBe('info');
    expect(cycle.evidence['benign']).toBe('single-thread');
    expect(result.status).toBe('pass');
  });

  it('reports a cycle whose edges share a guard lock as information, not a failure', async () => {
    const { result } = await run('locks-guarded-cycle');
    const cycle = only(result.findings, 'lock-order-cycle');
    expect(cycle.severity).toBe('info');
    expect(cycle.evidence['benign']).toBe('common-guard');
    expect(cycle.message).toContain('fixture.guard');
    expect(result.status).toBe('pass');
  });

  it('reports a lock held across a condition wait whose notifier takes it first, though this run never blocked on it', async () => {
    const { result } = await run('locks-wait-holding');
    expect(result.status).toBe('fail');
    const cycle = only(result.findings, 'lock-order-cycle');
    expect(cycle.severity).toBe('error');
    expect([...(cycle.evidence['classes'] as string[])].sort()).toEqual(['fixture.a', 'fixture.cond']);
    const edges = cycle.evidence['edges'] as { from: string; to: string; thread: string; kind?: string; site: string }[];
    expect(edges.map((e) => [e.from, e.to, e.thread, e.kind]).sort()).toEqual([
      ['fixture.a', 'fixture.cond', 'producer-0', 'wait'],
      ['fixture.cond', 'fixture.a', 'producer-1', 'notify'],
    ]);
    for (const e of edges) expect(e.site).toContain('locks.ts');
    expect(cycle.message).toContain('producer-0 waits on fixture.cond holding fixture.a');
    expect(cycle.message).toContain('producer-1 takes fixture.a before it notifies fixture.cond');
    expect((cycle.evidence['scenario'] as string[]).join('\n')).toContain('wait(fixture.cond);');
    // Nothing hung: the hazard is reported from the order alone.
    expect(result.findings.some((f) => f.kind === 'hang' || f.kind === 'deadlock')).toBe(false);
  });

  it('reports the same hazard when the notifier blocks on the lock before it could notify again', async () => {
    const { result } = await run('locks-wait-blocked');
    const cycle = only(result.findings, 'lock-order-cycle');
    expect(cycle.severity).toBe('error');
    const edges = cycle.evidence['edges'] as { from: string; to: string; thread: string; kind?: string }[];
    expect(edges.map((e) => [e.from, e.to, e.thread, e.kind]).sort()).toEqual([
      ['fixture.a', 'fixture.cond', 'producer-0', 'wait'],
      ['fixture.cond', 'fixture.a', 'producer-1', 'notify'],
    ]);
  });

  it('says nothing of a condition wait that holds only its own mutex, whatever the notifier took', async () => {
    const { result } = await run('locks-wait-clean');
    expect(result.findings.filter((f) => f.kind === 'lock-order-cycle')).toEqual([]);
    expect(result.status).toBe('pass');
  });

  it('flags the bundled three-lock defect: one cycle over three classes taken by three threads', async () => {
    const { result } = await run('reference-bug-three-lock', 'lock-inversion');
    expect(result.status).toBe('fail');
    // Each thread's first call holds the interpreter lock, so the cycle may first show as guarded
    // (info); the unguarded calls after it make it a hazard, reported on its own.
    const cycle = only(
      result.findings.filter((f) => f.severity === 'error'),
      'lock-order-cycle',
    );
    expect([...(cycle.evidence['classes'] as string[])].sort()).toEqual(['three.audit', 'three.file', 'three.metrics']);
    const edges = cycle.evidence['edges'] as { thread: string; site: string }[];
    expect(new Set(edges.map((e) => e.thread)).size).toBe(3);
    for (const e of edges) expect(e.site).toContain('three-lock.js');
  });
});
