/**
 * failing-sink: the logger writes every record to two sinks, and one of them fails every k-th
 * write, by throwing or by emitting an error, as a full disk or a dropped connection does.
 *
 * Load: `threads` worker threads (one for an adapter with `threads: false`) log `records` records
 * each. Pathology: the second sink (`ctx.secondFile`) fails every `failEvery`-th write, before
 * or after writing (`failWhen`), by throwing or by reporting an 'error' (`failHow`). The run's own sink file is healthy.
 * Oracle: the healthy sink receives every record (`isolation-breach` otherwise, with the
 * missing records and the failing sink's counts), and no error escapes the logger: a log call
 * that throws, or an error thrown asynchronously, is `unhandled-error`; a thread it kills is
 * `crash`. The failing sink's own losses are expected and not checked.
 *
 * Upstream bug class: one destination's failure breaks the others: pino's multistream stops at
 * the first stream that throws (https://github.com/pinojs/pino/issues/1489,
 * https://github.com/pinojs/pino/pull/2455); winston unpipes a transport that errored
 * (https://github.com/winstonjs/winston/issues/1364).
 */

import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { missingRecords, readSink, readSinks } from '../harness/ledger/sink-check.js';
import { SinkStats } from '../harness/sinks/sinks.js';

export default defineScenario({
  name: 'failing-sink',
  description: 'one of two sinks throws or emits an error every k-th write; the other must receive everything and no error may escape the logger',
  failOn: failOn(['isolation-breach', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: "one failing destination stops delivery to the others (https://github.com/pinojs/pino/issues/1489)",
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 100, max: 4000 }),
    failEvery: fc.integer({ min: 2, max: 50 }),
    failWhen: fc.constantFrom('before' as const, 'after' as const),
    failHow: fc.constantFrom('throw' as const, 'emit' as const),
  }),
  skip: (capabilities) =>
    capabilities.secondSink !== true
      ? 'the adapter cannot write to a second sink (capabilities.secondSink)'
      : undefined,
  async run(ctx, { threads: asked, records, failEvery, failWhen, failHow }) {
    // A logger that cannot run one per thread (the rotating ones, which share one file) runs one.
    const threads = ctx.adapter.capabilities.threads === false ? 1 : asked;
    const stats = SinkStats.create();
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 64,
      minPayload: 16,
      maxPayload: 160,
      level: 'info',
      second: { sink: { failEvery, failWhen, failHow, stats: stats.buffer } },
    });
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    // Every file of the healthy sink: a rotating logger's rotated files hold records too.
    const healthy = readSinks(ctx.adapter.sinkFiles?.(ctx.file) ?? [ctx.file], ctx.adapter.capabilities.format);
    const missing = missingRecords(healthy, outcome.produced);
    const failing = stats.read();
    const second = outcome.secondFile !== undefined ? readSink(outcome.secondFile, ctx.adapter.capabilities.format) : undefined;
    if (missing.missing > outcome.droppedReported) {
      ctx.finding({
        kind: 'isolation-breach',
        severity: 'error',
        message: `The healthy sink is missing ${missing.missing} of ${outcome.produced.reduce((a, b) => a + b, 0)} records while the other sink failed ${failing.failures} of its ${failing.writes} writes (every ${failEvery}th, ${failHow === 'throw' ? 'throwing' : "emitting 'error'"} ${failWhen} writing)`,
        evidence: {
          missing: missing.missing,
          ranges: missing.ranges,
          droppedReported: outcome.droppedReported,
          failingSink: { ...failing, failEvery, failWhen, failHow, recordsReceived: second === undefined ? 0 : [...second.delivered.values()].reduce((n, s) => n + s.size, 0) },
        },
      });
    }
    ctx.phase(`failing sink: ${failing.failures} failures in ${failing.writes} writes; healthy sink missing ${missing.missing}`);
    ctx.phase('done');
  },
});
