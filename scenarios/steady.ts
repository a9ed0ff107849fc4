/**
 * steady: several worker threads log at a steady pace into one file, each through its own
 * logger instance, the way the threads of one application share a log file. The baseline:
 * nothing may be lost, duplicated, reordered or torn, and each thread's logger must shut down
 * when asked. Metrics: delivered records per second end to end and per-call latency.
 */

import fc from 'fast-check';
import { defineScenario, failOn, skipWithoutThreads } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'steady',
  description: 'N worker threads log M records each to a fast file sink; nothing may be lost, duplicated, reordered or torn',
  failOn: failOn(['lost-records', 'duplicate-records', 'reordered-records', 'torn-records', 'lock-order-cycle']),
  lossKind: 'lost-records',
  params: fc.record({
    threads: fc.integer({ min: 2, max: 4 }),
    records: fc.integer({ min: 1, max: 20_000 }),
    batch: fc.integer({ min: 1, max: 512 }),
    maxPayload: fc.integer({ min: 16, max: 4096 }),
  }),
  skip: (capabilities) => skipWithoutThreads(capabilities),
  async run(ctx, { threads, records, batch, maxPayload }) {
    ctx.phase('producing');
    const outcome = await ctx.runProducers({ threads, records, batch, minPayload: 16, maxPayload, level: 'info' });
    ctx.produced(outcome.produced, outcome.droppedReported);
    // The supervisor turns this into delivered records per second once the sink is read back.
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
