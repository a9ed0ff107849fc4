/**
 * startup-burst: loggers log a burst the moment they are created, before an asynchronous
 * destination has opened its file, a transport's worker has started or a socket has connected,
 * as an application logs its start-up banner and configuration. Each producer thread creates
 * its logger, waits at the start gate with its event loop blocked (so nothing can become ready),
 * then logs every record without yielding; then the documented shutdowns run. Payloads are
 * multi-byte UTF-8 of every length, so records straddle every internal buffer boundary, and a
 * rotating logger rotates in the middle of the burst.
 *
 * Adapters that rotate one file per process (threads: false) burst from the main thread.
 *
 * Upstream bug class: "sonic boom is not ready yet" (https://github.com/pinojs/pino/issues/2326),
 * log4js's tcp appender buffering events until it connects.
 */

import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { reportShutdown } from './natural-exit.js';

export default defineScenario({
  name: 'startup-burst',
  description: 'each logger logs a burst (multi-byte UTF-8) before its destination is ready, without yielding, then shuts down; nothing may be lost, repeated, reordered or torn',
  failOn: failOn(['lost-records', 'duplicate-records', 'reordered-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'https://github.com/pinojs/pino/issues/2326',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 4 }),
    records: fc.integer({ min: 1, max: 20_000 }),
    maxPayload: fc.integer({ min: 1, max: 1024 }),
  }),
  async run(ctx, { threads, records, maxPayload }) {
    ctx.phase('producing');
    if (ctx.adapter.capabilities.threads === false) {
      const outcome = await ctx.logFromMain({ records, minPayload: 1, maxPayload, text: 'utf8', level: 'info' });
      ctx.phase('closing');
      reportShutdown(ctx, await ctx.close(outcome.logger));
      ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
      ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    } else {
      // batch = records: no yield inside the burst.
      const outcome = await ctx.runProducers({ threads, records, batch: records, minPayload: 1, maxPayload, text: 'utf8', level: 'info' });
      ctx.produced(outcome.produced, outcome.droppedReported);
      ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    }
    ctx.phase('done');
  },
});
