/**
 * graceful-exit: the main thread logs M records, runs the logger's documented shutdown (with a
 * deadline), then calls `process.exit(0)`. The documented way must keep its promise: any loss,
 * a shutdown that never finishes, or a process that does not end fails the run.
 */

import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { reportShutdown } from './natural-exit.js';

export default defineScenario({
  name: 'graceful-exit',
  description: "log M records, run the adapter's documented shutdown, then exit; any loss or hang fails",
  failOn: failOn(['exit-loss', 'duplicate-records', 'torn-records']),
  lossKind: 'exit-loss',
  params: fc.record({ records: fc.integer({ min: 1, max: 5000 }), maxPayload: fc.integer({ min: 16, max: 4096 }) }),
  skip: (capabilities) => (capabilities.gracefulShutdown ? undefined : 'the adapter declares no documented shutdown (capabilities.gracefulShutdown: false)'),
  async run(ctx, { records, maxPayload }) {
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 16, maxPayload, level: 'info' });
    ctx.phase('closing');
    const closed = await ctx.close(outcome.logger);
    reportShutdown(ctx, closed);
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ callLatencyUs: outcome.latency });
    ctx.phase('exiting');
    ctx.exit(0);
  },
});
