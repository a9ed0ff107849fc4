/**
 * http-collector: loggers that ship over HTTP to a loopback collector that answers slowly, with
 * 5xx or 429, resets or stalls. It flags a shipper that never resumes after a failure and one
 * that loses failed requests without counting them, passes one that counts them and goes on,
 * and shows what winston's Http transport does (one POST per record, failures reported as
 * `warn`, https://github.com/winstonjs/winston/pull/2463; records still in the logger's buffer at
 * end() lost, https://github.com/winstonjs/winston/issues/2219).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const TIMEOUT_MS = 60_000;
const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);

const base = { status: 503, failRequests: 2, slowMs: 5, stallMs: 200, threads: 1, records: 300, maxPayload: 64 };

async function run(adapterRef: string, params: Record<string, unknown>) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('http-collector');
  // No verdict here is about a hang: a wide window keeps a loaded machine from making one.
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params: { ...base, ...params }, timeoutMs: TIMEOUT_MS, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('http-collector', () => {
  it('flags a shipper that never sends again after the collector answered 503, with the count it never sent', async () => {
    const { result, kinds } = await run(fixture('http-poster-stop'), { fault: 'status', status: 503, failRequests: 1 });
    expect(result.status).toBe('fail');
    expect(kinds).toContain('lost-records');
    const recovery = result.findings.find((f) => f.message.startsWith('Nothing arrived after the collector failed'));
    expect(recovery?.evidence).toMatchObject({ neverSent: 250, collector: { faulted: 1, faultedRecords: 50, linesAfterFault: 0 } });
    expect(result.metrics).toMatchObject({ produced: 300, delivered: 0, droppedReported: 0, lost: 300 });
  });

  it('flags a shipper that loses the requests the collector reset without counting them, though it goes on', async () => {
    const { result, kinds } = await run(fixture('http-poster-silent'), { fault: 'reset', failRequests: 2 });
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['lost-records']);
    expect(result.findings[0]?.message).not.toMatch(/^Nothing arrived/);
    expect(result.metrics).toMatchObject({ produced: 300, delivered: 200, droppedReported: 0, lost: 100 });
  });

  for (const [fault, extra] of [
    ['status', { status: 429 }],
    ['status', { status: 500 }],
    ['reset', {}],
  ] as const) {
    it(`passes a shipper that counts what the collector failed (${fault}${'status' in extra ? ` ${extra.status}` : ''}) and goes on`, async () => {
      const { result } = await run(fixture('http-poster-count'), { fault, ...extra });
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 300, delivered: 200, droppedReported: 100, lost: 0 });
    });
  }

  for (const fault of ['slow', 'stall'] as const) {
    it(`passes a shipper whose every record arrives through a ${fault} collector`, async () => {
      const { result } = await run(fixture('http-poster-count'), { fault, threads: 2 });
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: 600, delivered: 600, lost: 0 });
    });
  }

  it("counts winston's Http transport's warn events as its reported drops: a 503 loses no record silently", async () => {
    // 30 records: fewer than the logger's and the transport's buffers hold (16 each), so end() meets none in the logger's.
    const { result } = await run('winston-http', { fault: 'status', status: 503, failRequests: 5, records: 30 });
    expect(result.metrics).toMatchObject({ produced: 30, delivered: 25, droppedReported: 5, lost: 0 });
    expect(result.status, JSON.stringify(result.findings)).toBe('pass');
  });

  it('shows winston losing the records still in its buffer at logger.end(), "write after end" (winstonjs/winston#2219)', async () => {
    const { result, kinds } = await run('winston-http', { fault: 'status', status: 503, failRequests: 5, records: 40 });
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(expect.arrayContaining(['unhandled-error', 'lost-records']));
    expect(result.findings.find((f) => f.kind === 'unhandled-error')?.message).toMatch(/write after end/);
    // The last 8 never reached the transport; the 5 the collector failed were reported dropped.
    expect(result.metrics).toMatchObject({ produced: 40, delivered: 27, droppedReported: 5, lost: 8 });
    expect(result.findings.find((f) => f.kind === 'lost-records')?.evidence['missing']).toEqual(expect.arrayContaining([{ producer: 0, from: 32, to: 39 }]));
  });

  it('skips an adapter that does not ship over HTTP', async () => {
    const { result } = await run('pino-sync', { fault: 'slow' });
    expect(result.status).toBe('skip');
  });
});
