/**
 * exit-after-logging: the main thread logs M records and calls `process.exit(0)` at once, with
 * no flush and no shutdown call, as many applications do. Whatever the logger loses or how long
 * the exit takes is reported as a fact; an error thrown out of the logger during the exit, or
 * a crash, fails the run.
 *
 * Fails on ALWAYS_FAIL except `exit-hang`: the scenario calls process.exit(0) with no shutdown
 * call, so what the logger's own exit hooks then do (a final synchronous flush to a slow
 * destination) is its documented way to exit, reported as a fact; graceful-exit and
 * natural-exit hold the logger to the exit bound.
 *
 * Upstream bug class: asynchronous destinations that are not ready when the process exits,
 * e.g. pino's "sonic boom is not ready yet" (https://github.com/pinojs/pino/issues/2326).
 */

import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'exit-after-logging',
  description: 'log M records in the main thread, then process.exit(0) with no shutdown call; reports exit loss and exit hang as facts',
  failOn: failOn([], { except: ['exit-hang'] }),
  lossKind: 'exit-loss',
  params: fc.record({ records: fc.integer({ min: 1, max: 5000 }), maxPayload: fc.integer({ min: 16, max: 4096 }) }),
  async run(ctx, { records, maxPayload }) {
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 16, maxPayload, level: 'info' });
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ callLatencyUs: outcome.latency });
    ctx.phase('exiting');
    ctx.exit(0);
  },
});
