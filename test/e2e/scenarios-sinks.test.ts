/**
 * The sink-pathology scenarios against real loggers: the reference logger passes every one, and
 * pino gets the findings the injected pathology calls for, each with its evidence. Params are
 * small and explicit; the only time-based pathologies (a stall, a slow sink) are far longer than
 * what they are compared with, so a loaded machine does not change the verdict.
 */

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { api, FIXTURES, scratchDir } from './helpers.js';

const TIMEOUT_MS = 30_000;

async function run(adapterName: string, scenarioName: string, params: Record<string, unknown>) {
  const adapter = await api.resolveAdapter(adapterName, process.cwd());
  const started = performance.now();
  const result = await api.superviseRun({
    adapter,
    scenario: await api.resolveScenario(scenarioName),
    seed: 5,
    params,
    timeoutMs: TIMEOUT_MS,
    memoryMb: 1024,
    workDir: scratchDir(),
  });
  return { result, ms: performance.now() - started, kinds: result.findings.map((f) => f.kind) };
}

const FAILING = { threads: 1, records: 300, failEvery: 10, failWhen: 'before', failHow: 'throw' };
const BLOCKING = { records: 2000, maxPayload: 256, blockMs: 800 };

const REFERENCE_PARAMS: Record<string, Record<string, unknown>> = {
  'slow-sink': { threads: 2, records: 2000, maxPayload: 256, delayMs: 2, mbPerSec: 8 },
  'blocking-sink': BLOCKING,
  'stalled-sink': { threads: 2, records: 2000, maxPayload: 200, stallMs: 300, bufferKiB: 64 },
  'failing-sink': { ...FAILING, failHow: 'emit' },
  'reentrant-sink': { threads: 2, records: 300, depthCap: 8 },
  'burst-overflow': { threads: 2, records: 2000, burst: 500, pauseMs: 5, maxPayload: 200, bufferKiB: 16, delayMs: 5 },
  'context-propagation': { threads: 2, records: 300, perContext: 3, concurrent: 3 },
};

describe('the reference logger', () => {
  it.each(Object.keys(REFERENCE_PARAMS))('passes %s with nothing lost', async (scenario) => {
    const { result, ms } = await run('reference', scenario, REFERENCE_PARAMS[scenario] as Record<string, unknown>);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics.produced).toBeGreaterThan(0);
    expect(result.metrics.lost).toBe(0);
    expect(result.metrics.torn).toBe(0);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('waits for a blocked sink in its documented shutdown, never in a log call: that stall is information', async () => {
    // The listener's first write blocks 1800 ms; the main thread logs 2000 records into the
    // queue in a few ms, then its close() flushes synchronously, as documented.
    const { result } = await run('reference', 'blocking-sink', { ...BLOCKING, blockMs: 1800 });
    expect(result.status).toBe('pass');
    expect(result.findings.filter((f) => f.kind !== 'event-loop-stall')).toEqual([]);
    const stall = result.findings.find((f) => f.kind === 'event-loop-stall');
    expect(stall?.severity).toBe('info');
    expect(stall?.message).toMatch(/^The main thread's event loop was blocked for \d+ ms( \(besides \d+ ms the thread stood ready without a CPU\))?, \d+ ms of it in the logger's documented close, which waits synchronously for the sink$/);
    expect(stall?.evidence).toMatchObject({ thread: 'main', op: 'close', thresholdMs: 1000 });
    expect(stall?.evidence['gapMs']).toBeGreaterThan(1000);
    expect(result.metrics.callLatencyUs?.max).toBeLessThan(900_000);
    expect(result.metrics.delivered).toBe(2000);
  });

  it('counts every record a burst far above its queue drops, and keeps ERRORs ahead of lower records', async () => {
    // A 16 KiB queue drained 16 KiB at most every 20 ms, against bursts of 2000 records.
    const { result } = await run('reference', 'burst-overflow', { threads: 2, records: 3000, burst: 2000, pauseMs: 5, maxPayload: 200, bufferKiB: 16, delayMs: 20 });
    expect(result.status).toBe('pass');
    expect(result.metrics.droppedReported).toBeGreaterThan(0);
    expect(result.metrics.delivered + result.metrics.droppedReported).toBe(result.metrics.produced);
    expect(result.metrics.lost).toBe(0);
    expect(result.findings.some((f) => f.kind === 'severity-inversion')).toBe(false);
  });
});

describe('pino-sync', () => {
  // https://github.com/strausmann/mcp-dockhand/issues/210: a sync destination on a stalled pipe.
  it('is reported blocked, caller and event loop, when the reader of its pipe stalls', async () => {
    const { result, ms } = await run('pino-sync', 'blocking-sink', BLOCKING);
    expect(result.status).toBe('fail');
    const blocked = result.findings.find((f) => f.kind === 'blocked-caller' && f.evidence['thread'] === 'main');
    // The scenario's own finding, from the call's timing; the main thread's stall meter may add
    // its own view of the same stall (a gap over 1 s on a loaded machine), without the injection.
    const stall = result.findings.find((f) => f.kind === 'event-loop-stall' && f.evidence['injection'] !== undefined);
    for (const finding of [blocked, stall]) {
      expect(finding?.severity).toBe('error');
      expect(finding?.evidence).toMatchObject({ producer: 0, injectedBlockMs: 800, thresholdMs: 400, injection: 'named pipe whose reader stopped' });
      expect(finding?.evidence['blockedMs']).toBeGreaterThanOrEqual(400);
      expect(finding?.evidence['seq']).toEqual(expect.any(Number));
      const relay = finding?.evidence['relay'] as { stalledAtMs?: number; resumedAtMs?: number } | undefined;
      expect(relay?.resumedAtMs).toBeGreaterThan(relay?.stalledAtMs ?? Infinity);
    }
    // Blocked, not lost: every record reached the file once the pipe drained.
    expect(result.metrics.lost).toBe(0);
    expect(result.metrics.delivered).toBe(2000);
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  // https://github.com/pinojs/pino/issues/1489: multistream stops at the first stream that throws.
  it('breaches isolation when one multistream destination throws, and lets the error escape', async () => {
    const { result } = await run('pino-sync', 'failing-sink', FAILING);
    expect(result.status).toBe('fail');
    const breach = result.findings.find((f) => f.kind === 'isolation-breach');
    // Every 10th write of the failing sink throws before writing: those 30 records never reach
    // the healthy file either, because pino writes the failing stream first and stops there.
    expect(breach?.evidence).toMatchObject({ missing: 30, failingSink: { writes: 300, failures: 30, failEvery: 10, failHow: 'throw' } });
    expect(breach?.evidence['ranges']).toContainEqual({ producer: 0, from: 9, to: 9 });
    const escaped = result.findings.find((f) => f.kind === 'unhandled-error');
    expect(escaped?.evidence).toMatchObject({ thread: 'producer-0', threw: 30, seq: 9 });
    expect(escaped?.message).toContain('injected sink failure on write 10, before writing');
  });

  it('keeps the healthy sink whole when the reference logger gets the same failing sink', async () => {
    const { result } = await run('reference', 'failing-sink', FAILING);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 300, delivered: 300, lost: 0 });
  });

  // Issue 18: the multi-destination configurations applications run beside pino's multistream.
  for (const adapter of ['winston-file', 'bunyan-file', 'log4js-file']) {
    for (const failHow of ['throw', 'emit'] as const) {
      it(`keeps ${adapter}'s file whole when its second destination (a stream beside it) fails every 10th write (${failHow})`, async () => {
        const { result } = await run(adapter, 'failing-sink', { ...FAILING, failHow });
        expect(result.status).toBe('pass');
        expect(result.findings.filter((f) => f.kind === 'isolation-breach' || f.kind === 'unhandled-error')).toEqual([]);
        expect(result.metrics).toMatchObject({ produced: 300, delivered: 300, lost: 0 });
      });
    }
  }

  // Issue 13: the hook used to log again after every write, its own reentrant records' writes
  // included, so sonic-boom's write of a reentrant record fed the next one: a loop of the
  // hook's making, reported as pino's `recursion` with the nesting never above 1.
  it('drains records logged from its write event: one per outer write, nesting 1, no recursion', async () => {
    const { result } = await run('pino-sync', 'reentrant-sink', { threads: 1, records: 200, depthCap: 8 });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
    // The outer records all arrived; the reentrant lines are counted apart, not as torn.
    expect(result.metrics).toMatchObject({ produced: 200, delivered: 200, lost: 0, torn: 0 });
  });

  // Issue 18: winston, bunyan and log4js take a reentrant hook too (the destination's own
  // per-record write callback logs through the same logger), and pass with it.
  it.each(['winston-file', 'bunyan-file', 'log4js-file'])('hooks %s\'s own write callback: records logged from it arrive, every outer record too', async (name) => {
    const adapter = await api.resolveAdapter(name, process.cwd());
    const phases: string[] = [];
    const result = await api.superviseRun({
      adapter,
      scenario: await api.resolveScenario('reentrant-sink'),
      seed: 5,
      params: { threads: 2, records: 300, depthCap: 8 },
      timeoutMs: TIMEOUT_MS,
      memoryMb: 1024,
      workDir: scratchDir(),
      onEvent: (e: { type: string; phase?: string }) => {
        if (e.type === 'phase' && e.phase !== undefined) phases.push(e.phase);
      },
    });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 600, delivered: 600, lost: 0, torn: 0 });
    // The hook really logged from inside the writes: reentrant records, nesting 1.
    const reentry = phases.find((p) => p.startsWith('reentry: ')) ?? '';
    expect(reentry).toMatch(/^reentry: [1-9]\d* reentrant records, max depth 1$/);
  });

  it('flags a logger whose reentrant record rewrites the outer one nested: recursion by growing depth', async () => {
    const { result } = await run(join(FIXTURES, 'adapters', 'reentrant-rewrites.ts'), 'reentrant-sink', { threads: 1, records: 200, depthCap: 8 });
    expect(result.status).toBe('fail');
    const recursion = result.findings.find((f) => f.kind === 'recursion');
    expect(recursion?.evidence).toMatchObject({ depthCap: 8, maxDepth: 8, outerRecords: 200 });
    expect(recursion?.evidence['depthCapped'] as number).toBeGreaterThan(0);
  });
});

describe('burst-overflow with no declared overflow policy', () => {
  it('reports a tail lost whole at close as lost records, not as a severity inversion: nothing was shed by level', async () => {
    const { result } = await run(join(FIXTURES, 'adapters', 'loses-tail.ts'), 'burst-overflow', { threads: 2, records: 600, burst: 200, pauseMs: 1, maxPayload: 64, bufferKiB: 16, delayMs: 1 });
    expect(result.status).toBe('fail');
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.kind)).toEqual(['lost-records']);
    expect(result.metrics.lost).toBe(80);
  });
});

// Issue 18: the other bunyan and log4js configurations take a second destination and a
// reentrant hook too (bunyan-stream: its file stream's write callback; bunyan-rotating: the
// rotating stream's write, which has no completion callback; the log4js ones: an appender
// wrapping the real one by name). The rotating adapters run one producer thread.
describe('second destination and reentrant hook on the other bunyan and log4js configurations', () => {
  const ADAPTERS = ['bunyan-stream', 'bunyan-rotating', 'log4js-rotating', 'log4js-tcp'];
  const threadsOf = (name: string): number => (name.endsWith('-rotating') ? 1 : 2);

  async function runWithPhases(name: string, scenarioName: string, params: Record<string, unknown>) {
    const phases: string[] = [];
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter(name, process.cwd()),
      scenario: await api.resolveScenario(scenarioName),
      seed: 5,
      params,
      timeoutMs: TIMEOUT_MS,
      memoryMb: 1024,
      workDir: scratchDir(),
      onEvent: (e: { type: string; phase?: string }) => {
        if (e.type === 'phase' && e.phase !== undefined) phases.push(e.phase);
      },
    });
    return { result, phases };
  }

  it.each(ADAPTERS)('hooks %s per record written: records logged from the hook arrive, every outer record too', async (name) => {
    const threads = threadsOf(name);
    const { result, phases } = await runWithPhases(name, 'reentrant-sink', { threads: 2, records: 300, depthCap: 8 });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 300 * threads, delivered: 300 * threads, lost: 0, torn: 0 });
    // The hook really logged from inside the writes: reentrant records, nesting 1.
    const reentry = phases.find((p) => p.startsWith('reentry: ')) ?? '';
    expect(reentry).toMatch(/^reentry: [1-9]\d* reentrant records, max depth 1$/);
  });

  it.each(ADAPTERS)('writes %s\'s records to its second destination too, and keeps its own whole while that one fails every 10th write', async (name) => {
    const threads = threadsOf(name);
    const { result, phases } = await runWithPhases(name, 'failing-sink', { ...FAILING, threads: 2, failHow: 'emit' });
    expect(result.status).toBe('pass');
    expect(result.findings.filter((f) => f.kind === 'isolation-breach' || f.kind === 'unhandled-error')).toEqual([]);
    expect(result.metrics).toMatchObject({ produced: 300 * threads, delivered: 300 * threads, lost: 0 });
    // The second destination took writes (each producer's until its first failure, which
    // destroys that stream as a failing file stream is): at least the nine before it.
    const failing = /^failing sink: (\d+) failures in (\d+) writes; healthy sink missing 0$/.exec(phases.find((p) => p.startsWith('failing sink: ')) ?? '');
    expect(failing).not.toBeNull();
    expect(Number(failing?.[1])).toBeGreaterThan(0);
    expect(Number(failing?.[2])).toBeGreaterThanOrEqual(10);
  });
});
