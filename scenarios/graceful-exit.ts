/**
 * graceful-exit: the main thread logs M records, runs the logger's documented flush where it has
 * one, then its documented shutdown (with a deadline), then calls `process.exit(0)`. The
 * documented way must keep its promise: a flush that resolves before every record logged before
 * it is in the sink file (`lost-records`, as an application that flushed and exited would lose
 * them), any loss, a shutdown that never finishes, or a process that does not end fails the run.
 * A logger that sends over TCP or HTTP is not held to its flush here: its flush promises the hand-off to
 * the socket, and the collector writes the file on its own time.
 */

import fc from 'fast-check';
import { closeWithDeadline, shutdownFinding } from '../harness/util/deadline.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { missingRecords, readSink } from '../harness/ledger/sink-check.js';
import { reportShutdown } from './natural-exit.js';

export default defineScenario({
  name: 'graceful-exit',
  description: "log M records, run the adapter's documented shutdown, then exit; any loss or hang fails",
  failOn: failOn(['exit-loss', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'exit-loss',
  params: fc.record({ records: fc.integer({ min: 1, max: 5000 }), maxPayload: fc.integer({ min: 16, max: 4096 }) }),
  skip: (capabilities) => (capabilities.gracefulShutdown ? undefined : 'the adapter declares no documented shutdown (capabilities.gracefulShutdown: false)'),
  async run(ctx, { records, maxPayload }) {
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 16, maxPayload, level: 'info' });
    const caps = ctx.adapter.capabilities;
    if (outcome.logger.flush !== undefined && caps.tcp !== true && caps.http !== true) {
      ctx.phase('flushing');
      const flushed = await closeWithDeadline({ close: () => outcome.logger.flush?.() }, ctx.spec.closeMs);
      if (flushed.ok) {
        // Read right when the flush resolved: what it promised is in the file by now.
        const missing = missingRecords(readSink(ctx.file, caps.format), [outcome.produced]);
        if (missing.missing > 0) {
          ctx.finding({
            kind: 'lost-records',
            severity: 'error',
            message: `The documented flush resolved with ${missing.missing} of the ${outcome.produced} records logged before it not yet in the sink: an application that flushes and exits loses them`,
            evidence: { signature: 'flush-before-delivered', missing: missing.missing, ranges: missing.ranges, flushMs: flushed.ms },
          });
        }
      } else {
        const finding = shutdownFinding('The documented flush', flushed, ctx.spec.closeMs);
        if (finding !== undefined) ctx.finding(finding);
      }
    }
    ctx.phase('closing');
    const closed = await ctx.close(outcome.logger);
    reportShutdown(ctx, closed);
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ callLatencyUs: outcome.latency });
    ctx.phase('exiting');
    ctx.exit(0);
  },
});
