/**
 * tcp-collector: worker threads log to a real loopback TCP collector (harness/sinks/collector.ts)
 * that misbehaves as collectors do: it resets a connection mid-stream (RST after some bytes,
 * as when Logstash crashes), refuses connections for a while (nothing listening, as while it
 * restarts), or reads slowly (backpressure). It writes every whole line it receives to the
 * sink file; the ledger reconciles it.
 *
 * Oracle, as for a stalled sink: no hang and no crash, no error escaping the logger, no silent
 * loss (records the logger reports dropped are fine), no duplicates or torn lines, and recovery
 * after the fault: once the collector is back, records arrive again (`lost-records` with the
 * collector's counts otherwise).
 *
 * Upstream bug class: a TCP destination going down crashes the process or loses records
 * silently around the reconnect (https://github.com/pinojs/pino-socket/issues/3,
 * https://github.com/pinojs/pino-socket/issues/96, https://github.com/python/cpython/issues/84532).
 */

import fc from 'fast-check';
import type { CollectorFaults } from '../harness/sinks/collector.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'tcp-collector',
  description: 'threads log over TCP to a loopback collector that resets, refuses or reads slowly; no hang, no silent loss, recovery after the fault',
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a TCP log destination that goes down crashes the app or drops records silently on reconnect (https://github.com/pinojs/pino-socket/issues/3)',
  params: fc.record({
    fault: fc.constantFrom('reset' as const, 'refuse' as const, 'slow' as const),
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 1, max: 5000 }),
    maxPayload: fc.integer({ min: 16, max: 1024 }),
    resetAfterKiB: fc.integer({ min: 4, max: 256 }),
    resets: fc.integer({ min: 1, max: 3 }),
    // From the collector's start, which comes before any logger is created: long enough that
    // a logger connecting at creation meets the refusal even on a loaded machine, short
    // enough that the collector is usually back before the loggers close.
    refuseMs: fc.integer({ min: 200, max: 1000 }),
    slowMs: fc.integer({ min: 1, max: 10 }),
  }),
  skip: (capabilities) => (capabilities.tcp !== true ? 'the adapter does not send its records over TCP (capabilities.tcp)' : undefined),
  async run(ctx, { fault, threads, records, maxPayload, resetAfterKiB, resets, refuseMs, slowMs }) {
    const faults: CollectorFaults =
      fault === 'reset' ? { resetAfterBytes: resetAfterKiB * 1024, resets } : fault === 'refuse' ? { refuseMs } : { slowMs };
    const collector = await ctx.collector(faults);
    ctx.phase(`producing to a collector that will ${fault}`);
    const outcome = await ctx.runProducers({ threads, records, batch: 64, minPayload: 16, maxPayload, level: 'info' });
    ctx.phase('closing the collector');
    const stats = await collector.close(ctx.spec.closeMs);
    const produced = outcome.produced.reduce((a, b) => a + b, 0);
    if (stats === undefined || collector.failure !== undefined) {
      throw new Error(`the collector did not close cleanly (${collector.failure ?? 'no answer within the bound'}): this is a harness bug`);
    }
    // Recovery: after a reset, lines arrive on a later connection; after a refusal, at all.
    // A collector still refusing when the run closed gave the logger no chance to recover
    // (what it did with its records then is the ledger's to say).
    const faultHappened = fault === 'reset' ? stats.resets > 0 : fault === 'refuse' && stats.refusedForMs > 0;
    const recovered = fault === 'reset' ? stats.resets === 0 || stats.linesAfterFault > 0 || stats.lines >= produced : stats.lines > 0 || produced === 0;
    ctx.phase(`collector: ${JSON.stringify(stats)}`);
    if (faultHappened && !recovered) {
      ctx.finding({
        kind: 'lost-records',
        severity: 'error',
        message:
          fault === 'reset'
            ? `Nothing arrived after the collector reset the connection (${stats.resets} reset(s), ${stats.lines} of ${produced} lines written): the logger did not reconnect`
            : `Nothing arrived after the collector started listening ${stats.refusedForMs} ms in: the logger did not retry the refused connection`,
        evidence: { fault, faults, collector: stats, produced },
      });
    }
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
