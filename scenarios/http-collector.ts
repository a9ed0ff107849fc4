/**
 * http-collector: worker threads log to a real loopback HTTP collector (harness/sinks/
 * http-collector-worker.ts), the way most production logs leave a process, and the collector
 * misbehaves as log services do: it answers slowly; answers the first requests with a 5xx or
 * a 429 and stores nothing of them; resets the first requests' connections unanswered; or stops
 * answering for a while (a stall) and then answers everything it held.
 *
 * Load: 1-3 threads, one logger each, up to 1 000 records at info, sent as fast as the logger
 * takes them. Pathology: the collector's fault, counted in requests where it can be (the first
 * N fail), so a loaded machine does not move which records meet it.
 *
 * Oracle: no hang and no crash, no error escaping the logger, no duplicates or torn records,
 * and no silent loss: a record in a request the collector failed must be delivered later (a
 * retry) or reported dropped by the logger; every other record must arrive. Recovery: once the
 * collector answers again, records arrive again; a logger that never sends after the failures
 * is flagged (`lost-records`), with the count the collector failed and the count that never
 * came. Order is held to the adapter's promise (`capabilities.order`): a logger that sends
 * requests concurrently says it keeps none.
 *
 * Upstream bug class: HTTP log shippers that lose records silently when the service answers
 * 5xx/429 or resets, never retry, or stop shipping after the first failure
 * (https://github.com/winstonjs/winston/pull/2463, https://github.com/JaniAnttonen/winston-loki/issues/68,
 * https://github.com/datalust/seq-logging/issues/7).
 */

import fc from 'fast-check';
import type { HttpCollectorFaults } from '../harness/contract/sink-spec.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'http-collector',
  description: 'threads log over HTTP to a loopback collector that answers slowly, with 5xx/429, resets or stalls; no silent loss, recovery after the fault',
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records', 'reordered-records']),
  lossKind: 'lost-records',
  reproduces: 'an HTTP log shipper loses records silently on 5xx/429 or a reset, or stops shipping after a failure (https://github.com/JaniAnttonen/winston-loki/issues/68)',
  params: fc.record({
    fault: fc.constantFrom('slow' as const, 'status' as const, 'reset' as const, 'stall' as const),
    status: fc.constantFrom(500, 502, 503, 429),
    // Requests the collector fails, from the first: a window the logger must come out of.
    failRequests: fc.integer({ min: 1, max: 50 }),
    slowMs: fc.integer({ min: 1, max: 50 }),
    // Well inside the close bound: what the stall holds is answered before loggers are judged.
    stallMs: fc.integer({ min: 50, max: 1000 }),
    threads: fc.integer({ min: 1, max: 3 }),
    // A record per request for some loggers: kept to what a loaded machine answers well inside the close bound.
    records: fc.integer({ min: 1, max: 1000 }),
    maxPayload: fc.integer({ min: 16, max: 512 }),
  }),
  skip: (capabilities) => (capabilities.http !== true ? 'the adapter does not send its records over HTTP (capabilities.http)' : undefined),
  async run(ctx, { fault, status, failRequests, slowMs, stallMs, threads, records, maxPayload }) {
    const faults: HttpCollectorFaults =
      fault === 'slow'
        ? { slowMs }
        : fault === 'status'
          ? { status: { code: status, requests: failRequests } }
          : fault === 'reset'
            ? { resetRequests: failRequests }
            : { stallMs };
    const collector = await ctx.httpCollector(faults);
    ctx.phase(`producing to an HTTP collector that will ${fault === 'status' ? `answer ${status}` : fault}`);
    // A millisecond between batches, as an application that does other work between log calls:
    // a logger that ships from the logging thread's event loop needs turns of it to send at all
    // (a request is a connect, a write and a response), which one setImmediate per batch gives
    // too few of on a loaded machine, and the sink's silence would read as a wedge.
    const outcome = await ctx.runProducers({ threads, records, batch: 64, pauseMs: 1, minPayload: 16, maxPayload, level: 'info' });
    ctx.phase('closing the collector');
    const stats = await collector.close(ctx.spec.closeMs);
    const produced = outcome.produced.reduce((a, b) => a + b, 0);
    if (stats === undefined || collector.failure !== undefined) {
      throw new Error(`the HTTP collector did not close cleanly (${collector.failure ?? 'no answer within the bound'}): this is a harness bug`);
    }
    ctx.phase(`collector: ${JSON.stringify(stats)}`);
    // Recovery: the collector failed some requests and answered every later one. Records the
    // failed requests did not carry had somewhere to go; if none of them arrived, the logger
    // stopped sending (or sending anything it could) after the failure.
    const owed = produced - stats.faultedRecords;
    if (stats.faulted > 0 && owed > 0 && stats.linesAfterFault === 0) {
      ctx.finding({
        kind: 'lost-records',
        severity: 'error',
        message: `Nothing arrived after the collector failed ${stats.faulted} request(s) (${stats.faultedRecords} record(s)): the logger did not send the other ${owed} record(s) it was given once the collector answered again`,
        evidence: { fault, faults, collector: stats, produced, neverSent: owed },
      });
    }
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
