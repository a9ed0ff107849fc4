/**
 * reconfigure-under-load: the main thread swaps the logger's sinks again and again while
 * worker threads log, as an application reloading its logging configuration does. Nothing may
 * be lost or duplicated across a swap (seeds: "Atomic listener swap for zero-loss
 * reconfiguration").
 */

import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'reconfigure-under-load',
  description: 'worker threads log while the main thread swaps the sinks every few milliseconds; nothing may be lost or duplicated',
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records', 'lock-order-cycle']),
  lossKind: 'lost-records',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 1, max: 10_000 }),
    gapMs: fc.integer({ min: 0, max: 5 }),
  }),
  skip: (capabilities) => (capabilities.reconfigure !== true ? 'the adapter cannot swap its sinks while logging (no setup().reconfigure)' : undefined),
  async run(ctx, { threads, records, gapMs }) {
    ctx.phase('producing');
    let producing = true;
    let swaps = 0;
    const swapping = (async () => {
      while (producing) {
        await ctx.reconfigure();
        swaps++;
        await delay(gapMs);
      }
    })();
    const outcome = await ctx.runProducers({ threads, records, batch: 128, minPayload: 16, maxPayload: 160, level: 'info', closeProcess: false });
    producing = false;
    await swapping;
    ctx.phase(`closing after ${swaps} sink swaps`);
    await ctx.closeProcess();
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
