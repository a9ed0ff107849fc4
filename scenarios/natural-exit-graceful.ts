/**
 * natural-exit-graceful: as natural-exit, but the logger's documented shutdown runs (bounded)
 * before the scenario returns. After the documented shutdown nothing of the logger may keep
 * the process alive, and nothing may be lost.
 */

import { defineScenario } from '../harness/contract/scenario.js';
import { countResources, NATURAL_EXIT_FAILS_ON, naturalExitParams, reportShutdown, watchNaturalExit } from './natural-exit.js';

export default defineScenario({
  name: 'natural-exit-graceful',
  description: "log M records (multi-byte UTF-8), run the documented shutdown, return with no process.exit; the process must end by itself with every record",
  failOn: NATURAL_EXIT_FAILS_ON,
  lossKind: 'exit-loss',
  params: naturalExitParams,
  skip: (capabilities) => (capabilities.gracefulShutdown ? undefined : 'the adapter declares no documented shutdown (capabilities.gracefulShutdown: false)'),
  async run(ctx, { records, maxPayload }) {
    const baseline = countResources(process.getActiveResourcesInfo());
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 1, maxPayload, text: 'utf8', level: 'info' });
    ctx.phase('closing');
    reportShutdown(ctx, await ctx.close(outcome.logger));
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ callLatencyUs: outcome.latency });
    ctx.phase('returned: waiting for the process to end by itself');
    watchNaturalExit(ctx, 'the documented shutdown', baseline);
  },
});
