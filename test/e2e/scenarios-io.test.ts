/**
 * The I/O scenarios against real loggers: bytes torn by a shared pipe, hostile field values, a
 * crash or a dead worker thread with records in flight, and a TCP collector that resets. Each
 * case runs the real child process with small explicit parameters and asserts the verdict and
 * its evidence. Nothing here sleeps or asserts a duration beyond "finished within its deadline".
 */

import { join } from 'node:path';
import type { Arbitrary } from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as Params from '../../harness/run/params.js';
import type { ChildEvent } from '../../harness/contract/protocol.js';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const { shrinkParams } = (await import(join(ROOT, 'dist', 'harness', 'run', 'params.js'))) as typeof Params;
const TIMEOUT_MS = 30_000;

async function run(adapterRef: string, scenarioName: string, params: unknown, seed = 1) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario(scenarioName);
  const phases: string[] = [];
  const started = performance.now();
  const result = await api.superviseRun({
    adapter,
    scenario,
    seed,
    params,
    timeoutMs: TIMEOUT_MS,
    memoryMb: 1024,
    workDir: scratchDir(),
    onEvent: (e: ChildEvent) => {
      if (e.type === 'phase') phases.push(e.phase);
    },
  });
  expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 5000);
  return { result, phases, kinds: result.findings.map((f) => f.kind) };
}

interface TornSample {
  readonly reason: string;
  readonly offset: number;
  readonly markers: readonly { producer: number; seq: number; at: number }[];
}

describe('torn-lines', () => {
  // Records of 32 KiB from two processes sharing one named pipe: a write larger than PIPE_BUF
  // is split when the pipe fills, and pino's sonic-boom (sync) writes each line with one
  // write(2) and no lock between processes. https://github.com/apache/httpd/pull/49
  // A race between two processes: asserted as "shows within 5 runs", never as one seed's outcome.
  it('shows pino-sync records torn between two processes writing one pipe, with whose bytes and where (at least once in 5 runs)', async () => {
    let shown: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < 5 && shown === undefined; i++) {
      const attempt = await run('pino-sync', 'torn-lines', { writers: 'processes', sink: 'pipe', count: 2, records: 40, recordBytes: 32768 });
      expect(['pass', 'fail']).toContain(attempt.result.status);
      if (attempt.result.status === 'fail') shown = attempt;
    }
    expect(shown).toBeDefined();
    const { result, kinds } = shown as Awaited<ReturnType<typeof run>>;
    expect(kinds).toContain('torn-records');
    expect(result.metrics.produced).toBe(80);
    expect(result.metrics.torn).toBeGreaterThan(0);
    const torn = result.findings.find((f) => f.kind === 'torn-records');
    const samples = torn?.evidence['samples'] as TornSample[];
    // A spliced line holds the start of one producer's record and another producer's record. Where
    // the second begins is wherever the pipe had room when the first write was split: not at 0,
    // and not always past one page (seen at byte 156 on a quiet machine).
    const spliced = samples.find((s) => s.markers.length >= 2);
    expect(spliced).toBeDefined();
    expect(new Set(spliced?.markers.map((m) => m.producer)).size).toBe(2);
    expect(spliced?.markers[1]?.at).toBeGreaterThan(0);
    expect(spliced?.offset).toBeGreaterThanOrEqual(0);
  }, 300_000);

  it('keeps every pino-sync line whole when threads append to one file (one write per line, O_APPEND)', async () => {
    const { result } = await run('pino-sync', 'torn-lines', { writers: 'threads', sink: 'file', count: 3, records: 100, recordBytes: 16384 });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 300, delivered: 300, torn: 0, lost: 0 });
  });

  it('passes the reference logger, whose processes take turns on a shared pipe', async () => {
    const { result } = await run('reference', 'torn-lines', { writers: 'processes', sink: 'pipe', count: 2, records: 40, recordBytes: 32768 });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 80, delivered: 80, torn: 0, lost: 0 });
  });
});

const ALL_KINDS = ['circular', 'throwing-getter', 'throwing-tojson', 'tojson-logs', 'bigint', 'symbol', 'null-prototype', 'lone-surrogate', 'control-chars', 'huge-string', 'deep-nesting', 'throwing-proxy'];

describe('hostile-input', () => {
  it('passes the reference logger with every hostile kind, the reentrant toJSON included', async () => {
    const { result } = await run('reference', 'hostile-input', { kinds: ALL_KINDS, around: 3, hugeKiB: 256 });
    expect(result.status).toBe('pass');
    // 13 runs of 3 ordinary records, 12 hostile ones, and one logged from inside toJSON.
    expect(result.metrics).toMatchObject({ produced: 52, delivered: 52, lost: 0, torn: 0 });
  });

  it('reports the hostile kind that made log() throw, and shrinks to the smallest input that does', async () => {
    const fixture = join(FIXTURES, 'adapters', 'naive-json.ts');
    const { result } = await run(fixture, 'hostile-input', { kinds: ['symbol', 'lone-surrogate', 'bigint', 'control-chars'], around: 20, hugeKiB: 64 });
    expect(result.status).toBe('fail');
    const thrown = result.findings.find((f) => f.kind === 'unhandled-error');
    expect(thrown?.evidence).toMatchObject({ input: 'bigint', error: expect.stringContaining('BigInt') as string });
    // The BigInt record never reached the sink, but its caller was told (the finding above):
    // refused, not also lost (issue 13: one fault, one finding).
    expect(result.findings.some((f) => f.kind === 'lost-records')).toBe(false);
    expect(result.metrics).toMatchObject({ produced: 104, delivered: 103, lost: 0 });

    // The seed's own parameters fail; fast-check's shrinker finds the smallest that still do.
    const adapter = await api.resolveAdapter(fixture, ROOT);
    const scenario = await api.resolveScenario('hostile-input');
    const seed = await findFailingSeed(async (s) => (await run(fixture, 'hostile-input', undefined, s)).result.status === 'fail');
    const shrunk = await shrinkParams(
      scenario.params as Arbitrary<unknown>,
      seed,
      async (params) => {
        const r = await api.superviseRun({ adapter, scenario, seed, params, timeoutMs: TIMEOUT_MS, memoryMb: 1024, workDir: scratchDir() });
        return r.findings.some((f) => f.kind === 'unhandled-error');
      },
      { maxRuns: 60, timeMs: 40_000 },
    );
    expect(shrunk).toBeDefined();
    const params = shrunk?.params as { kinds: string[]; around: number };
    expect(params.kinds).toHaveLength(1);
    expect(['circular', 'throwing-getter', 'throwing-tojson', 'bigint', 'deep-nesting', 'throwing-proxy']).toContain(params.kinds[0]);
    expect(params.around).toBe(1);
  });
});

/** The first seed from 1 whose own parameters fail (most do: twelve kinds, half of them throw in JSON.stringify). */
async function findFailingSeed(fails: (seed: number) => Promise<boolean>): Promise<number> {
  for (let seed = 1; seed <= 10; seed++) if (await fails(seed)) return seed;
  throw new Error('no failing seed among 1..10');
}

describe('log calls that throw on the harness\'s own producer paths', () => {
  it('counts the records whose log() threw as refused, not lost: one fault, one finding', async () => {
    // steady logs from producer threads, exit-after-logging from the main thread: both paths.
    for (const scenario of ['steady', 'exit-after-logging']) {
      const { result } = await run(join(FIXTURES, 'adapters', 'throws-every-7th.ts'), scenario, undefined);
      expect(result.status, scenario).toBe('fail');
      const thrown = result.findings.find((f) => f.kind === 'unhandled-error');
      expect(thrown?.message, scenario).toMatch(/log call\(s\) on (producer-\d|main) threw into the caller; the first, on record 6: refused call 7/);
      expect(result.findings.map((f) => f.kind), scenario).not.toContain('lost-records');
      expect(result.metrics.lost, scenario).toBe(0);
      // Every 7th call of each logger never reached the sink.
      expect(result.metrics.produced - result.metrics.delivered, scenario).toBeGreaterThan(0);
    }
  });
});

describe('console-redirect', () => {
  it('flags a logger that echoes through console.log with the console routed into it: the loop, capped, and the repeats', async () => {
    for (const redirectFirst of [true, false]) {
      const { result } = await run(join(FIXTURES, 'adapters', 'console-echo.ts'), 'console-redirect', { records: 30, depthCap: 6, redirectFirst });
      expect(result.status).toBe('fail');
      const recursion = result.findings.find((f) => f.kind === 'recursion');
      // Every record looped to the cap: 30 calls dropped at depth 6.
      expect(recursion?.evidence).toMatchObject({ maxDepth: 6, depthCap: 6, capped: 30, redirectFirst });
      expect(result.findings.map((f) => f.kind)).toContain('duplicate-records');
      expect(result.metrics).toMatchObject({ produced: 30, lost: 0 });
    }
  });

  it('passes the same logger with a reentrancy guard, and the reference: every record once', async () => {
    for (const adapter of [join(FIXTURES, 'adapters', 'console-guarded.ts'), 'reference']) {
      const { result } = await run(adapter, 'console-redirect', { records: 30, depthCap: 6, redirectFirst: true });
      expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(result.status).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 30, delivered: 30, lost: 0, duplicated: 0 });
    }
  });
});

describe('crash-mid-write', () => {
  it("reports what pino-transport lost when its thread-stream worker dies with records in flight, and that it did not hang", async () => {
    const { result, kinds } = await run('pino-transport', 'crash-mid-write', { how: 'worker-death', records: 2000, afterDeath: 200, maxPayload: 100 });
    expect(result.status).toBe('pass');
    expect(kinds).not.toContain('exit-hang');
    const loss = result.findings.find((f) => f.kind === 'exit-loss');
    expect(loss?.severity).toBe('warning');
    // Records logged after the worker died can never arrive.
    expect(result.metrics.lost).toBeGreaterThanOrEqual(200);
    expect(loss?.evidence).toMatchObject({ produced: 2200, lost: result.metrics.lost });
    const missing = loss?.evidence['missing'] as { producer: number; from: number; to: number }[];
    expect(missing.at(-1)).toMatchObject({ producer: 0, to: 2199 });
  });

  it('passes the reference logger when its listener dies: later records are refused and counted, shutdown fails fast', async () => {
    const { result, phases } = await run('reference', 'crash-mid-write', { how: 'worker-death', records: 1000, afterDeath: 300, maxPayload: 100 });
    expect(result.status).toBe('pass');
    expect(result.metrics.produced).toBe(1300);
    expect(result.metrics.droppedReported).toBeGreaterThanOrEqual(300);
    expect(result.metrics.delivered + result.metrics.droppedReported + result.metrics.lost).toBe(1300);
    expect(phases).toContain('terminating 1 logger worker thread(s)');
    expect(phases.some((p) => p.startsWith('shutdown reported:'))).toBe(true);
  });

  it('reports SIGTERM as the injected end, not a crash, with pino-async losing its buffer', async () => {
    const { result, kinds } = await run('pino-async', 'crash-mid-write', { how: 'sigterm', records: 500, afterDeath: 0, maxPayload: 100 });
    expect(result.status).toBe('pass');
    expect(kinds).not.toContain('crash');
    expect(result.metrics.produced).toBe(500);
    expect(result.metrics.lost).toBe(500 - result.metrics.delivered);
  });
});

describe('tcp-collector', () => {
  it('passes the reference logger when the collector resets the connection mid-stream: it reconnects and resumes', async () => {
    const { result, phases } = await run('reference-tcp', 'tcp-collector', {
      fault: 'reset',
      threads: 2,
      records: 2000,
      maxPayload: 300,
      resetAfterKiB: 64,
      resets: 2,
      refuseMs: 20,
      slowMs: 1,
    });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 4000, delivered: 4000, lost: 0, duplicated: 0, torn: 0 });
    const stats = JSON.parse(phases.find((p) => p.startsWith('collector: '))?.slice('collector: '.length) ?? '{}') as Record<string, number>;
    expect(stats['resets']).toBe(2);
    expect(stats['connections']).toBeGreaterThanOrEqual(3);
    expect(stats['linesAfterFault']).toBeGreaterThan(0);
  });

  it('passes the reference logger when the collector refuses connections at first', async () => {
    const { result } = await run('reference-tcp', 'tcp-collector', { fault: 'refuse', threads: 1, records: 1000, maxPayload: 100, resetAfterKiB: 4, resets: 1, refuseMs: 100, slowMs: 1 });
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 1000, delivered: 1000, lost: 0 });
  });

  // pino-tcp ships through pino-socket with reconnect, as pino documents for TCP. A bare socket with
  // no 'error' listener died of the refused connection: the adapter's doing, not pino's (issue 13).
  it('delivers every record through pino-socket when the collector refuses connections at first', async () => {
    const { result } = await run('pino-tcp', 'tcp-collector', { fault: 'refuse', threads: 1, records: 200, maxPayload: 100, resetAfterKiB: 4, resets: 1, refuseMs: 2000, slowMs: 1 });
    expect(result.findings.filter((f) => f.kind === 'crash')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 200, delivered: 200, lost: 0 });
  });
});
