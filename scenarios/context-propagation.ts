/**
 * context-propagation: records logged inside AsyncLocalStorage contexts, many contexts
 * interleaving on each thread across awaits, on several threads, must reach the sink carrying
 * their own context.
 *
 * Load: `threads` worker threads each run `concurrent` tasks; each task opens context after
 * context (`{ traceId }` through the adapter's `withContext`), logs `perContext` records in it
 * and awaits between records (setImmediate, a resolved promise, a timer), so contexts interleave.
 * Each record's payload names the trace id it was logged under. Pathology: none in the sink;
 * the hazard is the logger's own context capture (a global, a context read on another thread
 * or after the await). Oracle: every delivered record carries its own trace id outside the
 * message (`context-lost` otherwise, with the records, the id expected and the one carried), and
 * nothing is lost.
 *
 * Upstream bug class: a request id kept in a global instead of AsyncLocalStorage is wrong or
 * missing after an await (https://github.com/JhaSourav07/commitpulse/issues/8493,
 * https://github.com/nestjs-steroids/async-context/issues/23).
 */

import fc from 'fast-check';
import { defineScenario, failOn, skipWithoutThreads } from '../harness/contract/scenario.js';
import { contextLosses, readSink } from '../harness/ledger/sink-check.js';

export default defineScenario({
  name: 'context-propagation',
  description: 'records logged inside interleaved AsyncLocalStorage contexts across awaits and threads must carry their own context to the sink',
  failOn: failOn(['context-lost', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a request id kept outside AsyncLocalStorage is wrong after an await (https://github.com/JhaSourav07/commitpulse/issues/8493)',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 50, max: 3000 }),
    perContext: fc.integer({ min: 1, max: 8 }),
    concurrent: fc.integer({ min: 1, max: 4 }),
  }),
  skip: (capabilities) =>
    capabilities.context === undefined
      ? 'the adapter declares no way to carry trace context (capabilities.context)'
      : skipWithoutThreads(capabilities),
  async run(ctx, { threads, records, perContext, concurrent }) {
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 64,
      minPayload: 16,
      maxPayload: 80,
      level: 'info',
      context: { perContext, concurrent },
    });
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    const contents = readSink(ctx.file, ctx.adapter.capabilities.format, true);
    const losses = contextLosses(contents);
    if (losses.lost > 0) {
      ctx.finding({
        kind: 'context-lost',
        severity: 'error',
        message: `${losses.lost} of ${losses.checked} delivered records did not carry the trace context they were logged in`,
        evidence: { lost: losses.lost, checked: losses.checked, samples: losses.samples, carriedBy: ctx.adapter.capabilities.context },
      });
    }
    ctx.phase(`context checked on ${losses.checked} records, ${losses.lost} lost`);
    ctx.phase('done');
  },
});
