/**
 * The HTTP shippers beside winston's Http transport: pino-loki (Loki's push JSON, batched) and
 * log4js's @log4js-node/logstash-http appender (Elasticsearch bulk NDJSON, one POST per event),
 * each through logjam's loopback HTTP collector with the body decoder its adapter declares
 * (`capabilities.httpBody`). Every record of a run whose collector misbehaves only in time
 * arrives, decoded once; a collector that answers 503 shows what each does with a failed
 * request: it prints the error and drops the records, with no retry and no count (pino-loki's
 * README documents it, "If Loki is unreachable, logs in the current batch will be lost";
 * logstash-http's does not).
 */

import { describe, expect, it } from 'vitest';
import { api, ROOT, scratchDir } from './helpers.js';

const TIMEOUT_MS = 60_000;

const base = { status: 503, failRequests: 2, slowMs: 5, stallMs: 200, threads: 1, records: 300, maxPayload: 64 };

async function run(adapterRef: string, params: Record<string, unknown>) {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('http-collector');
  // No verdict here is about a hang: a wide window keeps a loaded machine from making one.
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params: { ...base, ...params }, timeoutMs: TIMEOUT_MS, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('HTTP shippers through the http-collector', () => {
  // log4js-http sends one request per event, each with a timeout (30 s in the adapter) that a
  // logging thread starved on a loaded machine could still outrun: 100 events keep it light.
  for (const [adapter, records] of [['pino-loki', 300], ['log4js-http', 100]] as const) {
    it(`delivers every record of ${adapter} through a slow collector, each decoded once from its wire format`, async () => {
      const { result } = await run(adapter, { fault: 'slow', records });
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics).toMatchObject({ produced: records, delivered: records, lost: 0, duplicated: 0, torn: 0 });
    });
  }

  it("shows pino-loki losing the batch the collector answered 503, with nothing counted (the README's documented loss)", async () => {
    // 300 records in one logger: one batch, sent by the transport's close() (the 5 s interval never comes).
    const { result, kinds } = await run('pino-loki', { fault: 'status', status: 503, failRequests: 1 });
    expect(result.status).toBe('fail');
    expect(kinds).toEqual(['lost-records']);
    expect(result.metrics).toMatchObject({ produced: 300, delivered: 0, droppedReported: 0, lost: 300 });
  });

  it('shows log4js-http losing each event whose request the collector answered 503, with nothing counted, and going on', async () => {
    const { result, kinds } = await run('log4js-http', { fault: 'status', status: 503, failRequests: 5, records: 100 });
    expect(result.status).toBe('fail');
    expect(kinds).toContain('lost-records');
    // The 5 events of the failed requests, never retried or counted (95 delivered on a quiet
    // machine; a badly loaded one could add events whose request outran the appender's timeout).
    expect(result.metrics).toMatchObject({ produced: 100, droppedReported: 0 });
    expect(result.metrics.lost).toBeGreaterThanOrEqual(5);
    expect(result.metrics.delivered + result.metrics.lost).toBe(100);
  });

  it("reports a run not judged once the logger holds more connections than the in-process collector can share fairly", async () => {
    // log4js-http opens a connection per event; the collector holds every answer 10 s, so the
    // 1 500 events' connections are all open at once, past SHARED_CONNECTIONS (1 024): the
    // collector would hold their other ends in the run's own process.
    const { result } = await run('log4js-http', { fault: 'slow', slowMs: 10_000, records: 1500 });
    expect(result.status).toBe('skip');
    expect(result.reason).toMatch(/^not judged: the logger opened more than 1024 connections to the collector at once; the collector runs inside the run's process/);
  });
});
