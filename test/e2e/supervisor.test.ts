/**
 * The supervisor against children that misbehave in each way a logger can take a process
 * down. Each fixture adapter misbehaves deterministically at its 100th record, so the child is
 * in a known state without any sleep; each run must be classified within its deadline.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChildEvent, ThreadStatus } from '../../harness/contract/protocol.js';
import { api, FIXTURES, scratchDir } from './helpers.js';

const TIMEOUT_MS = 15_000;

// Fixtures misbehave at their 100th record: every run here logs well past it.
const PARAMS: Record<string, unknown> = {
  'exit-after-logging': { records: 1000, maxPayload: 160 },
  'graceful-exit': { records: 1000, maxPayload: 160 },
  steady: { threads: 2, records: 2000, batch: 128, maxPayload: 160 },
};

async function supervise(fixture: string, scenario: string, extra: { hangMs?: number; memoryMb?: number; timeoutMs?: number } = {}) {
  const adapter = await api.resolveAdapter(join(FIXTURES, 'adapters', `${fixture}.ts`), process.cwd());
  const events: ChildEvent[] = [];
  const started = performance.now();
  const result = await api.superviseRun({
    adapter,
    scenario: await api.resolveScenario(scenario),
    seed: 11,
    params: PARAMS[scenario],
    timeoutMs: extra.timeoutMs ?? TIMEOUT_MS,
    memoryMb: extra.memoryMb ?? 1024,
    hangMs: extra.hangMs ?? 1000,
    workDir: scratchDir(),
    onEvent: (e) => events.push(e),
  });
  return { result, events, ms: performance.now() - started, kinds: result.findings.map((f) => f.kind) };
}

describe('the supervisor', () => {
  it('reports a main thread parked in Atomics.wait as a hang, with the board and the events before it', async () => {
    const { result, events, ms, kinds } = await supervise('wedge-main', 'exit-after-logging');
    expect(result.status).toBe('fail');
    expect(kinds).toContain('hang');
    const hang = result.findings.find((f) => f.kind === 'hang');
    expect(hang?.evidence['stuck']).toEqual(['main']);
    expect(hang?.message).toMatch(/main event loop blocked for \d+ ms in log/);
    // The raw Atomics.wait is on the board: what it waits on, and the JS stack at the wait.
    const main = (hang?.evidence['threads'] as ThreadStatus[]).find((t) => t.name === 'main');
    expect(main?.waiting).toMatchObject({ kind: 'raw Atomics.wait', on: 'a 4-byte SharedArrayBuffer, index 0', value: 0, notifiedBy: [] });
    expect(main?.waiting?.site).toContain('wedge-main.ts');
    // Events streamed before the wedge survive the kill: the phase and the records so far.
    expect(events.some((e) => e.type === 'phase' && e.phase === 'producing')).toBe(true);
    expect(result.metrics.delivered).toBe(100);
    expect(ms).toBeLessThan(TIMEOUT_MS + 2000);
  });

  it('reports a busy-looping main thread as a hang', async () => {
    const { result, ms, kinds } = await supervise('busy-loop', 'exit-after-logging');
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['hang']);
    expect(ms).toBeLessThan(TIMEOUT_MS + 2000);
  });

  it('reports a main thread that blocks its loop while logging every record as a stall, not a hang', async () => {
    // 1000 calls of 3 ms each: the loop is blocked three times the hang window, and the
    // record counter moves every 3 ms of it.
    const { result, kinds } = await supervise('slow-calls', 'graceful-exit', { hangMs: 1000 });
    expect(kinds).toEqual(['event-loop-stall']);
    expect(result.status).toBe('pass');
    const stall = result.findings[0];
    expect(stall?.severity).toBe('warning');
    expect(stall?.message).toMatch(/^The main thread's event loop was blocked for \d+ ms( \(besides \d+ ms the thread stood ready without a CPU\))?, \d+ ms of it in log$/);
    // On the wall, at least the 3 s the calls took; the thread's run-queue wait is not counted
    // (the fixture spins on the wall clock, so on a loaded machine the stall shows a little less).
    expect(Number(stall?.evidence['gapMs']) + Number(stall?.evidence['starvedMs'] ?? 0)).toBeGreaterThanOrEqual(3000);
    expect(result.metrics.delivered).toBe(1000);
    // Every call did take its 3 ms: the loop was blocked for 3 s, three hang windows.
    expect(result.metrics.callLatencyUs?.count).toBe(1000);
    expect(result.metrics.callLatencyUs?.p50).toBeGreaterThanOrEqual(3000);
  });

  it('ends a wedged child at its hard deadline even when the watchdog stays silent', async () => {
    // 6 s: on a loaded machine (load 18) the child was once still loading when a 3 s deadline came.
    const { result, ms, kinds } = await supervise('wedge-main', 'exit-after-logging', { hangMs: 600_000, timeoutMs: 6000 });
    expect(kinds).toEqual(['hang']);
    expect(result.findings[0]?.message).toMatch(/did not finish within its deadline of 6000 ms \(last phase: producing\)/);
    expect(ms).toBeLessThan(6000 + 2000);
  });

  it('reports process.exit inside the logger as a crash, keeping the records delivered before it', async () => {
    const { result, kinds } = await supervise('exit-inside', 'exit-after-logging');
    expect(kinds).toEqual(['crash']);
    expect(result.findings[0]?.evidence['cause']).toBe('unexpected-exit');
    expect(result.metrics.delivered).toBe(100);
    expect(result.metrics.torn).toBe(0);
  });

  it('reports an uncaught exception on the main thread as unhandled-error and crash', async () => {
    const { result, kinds } = await supervise('throws-later', 'graceful-exit');
    expect(kinds).toEqual(['unhandled-error', 'crash']);
    expect(result.findings[0]?.evidence['message']).toBe('boom from inside the logger');
    expect(result.findings[1]?.evidence['exitCode']).toBe(1);
  });

  it('reports a producer thread killed by an uncaught exception as a crash of that thread', async () => {
    const { result, kinds } = await supervise('throws-later', 'steady');
    expect(result.status).toBe('fail');
    expect(kinds.every((k) => k === 'crash')).toBe(true);
    expect(result.findings[0]?.message).toMatch(/producer-\d's thread died: boom from inside the logger/);
  });

  it('reports a child that runs out of memory as a crash, whichever cap it hits first', async () => {
    // A child thrashing its heap can stall its event loop past a 1 s hang window on a loaded
    // machine before either cap hits: the oracle here is the memory cap, not the hang window.
    const { result, ms, kinds } = await supervise('out-of-memory', 'exit-after-logging', { memoryMb: 256, hangMs: 10_000 });
    expect(kinds).toEqual(['crash']);
    expect(result.findings[0]?.evidence['cause']).toBe('out-of-memory');
    expect(ms).toBeLessThan(TIMEOUT_MS + 2000);
  });
});
