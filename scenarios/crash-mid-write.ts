/**
 * crash-mid-write: the main thread logs M records and, while they are still in the logger's
 * hands (a sonic-boom buffer, thread-stream's ring, the reference logger's queue), the process
 * or the logger breaks:
 *
 * - `worker-death`: every worker thread the logger started (pino transport's thread-stream
 *   worker, the reference logger's listener) is terminated, the application logs `afterDeath`
 *   more records (an error thrown at the caller is reported as `unhandled-error`, a fact here),
 *   then the logger's documented shutdown runs (bounded) and the process exits with
 *   `process.exit(0)`;
 * - `uncaught-exception`: an exception thrown from a callback ends the process (Node runs the
 *   'exit' listeners, so a logger's exit hook may still flush);
 * - `sigterm`: the process sends itself SIGTERM with no handler installed by the harness (the
 *   default action ends it without 'exit' listeners).
 *
 * Records lost are expected and reported as facts (`exit-loss`, warning) with counts and the
 * missing ranges. The run fails when the process or the logger's shutdown hangs (`exit-hang`,
 * `hang`) or when the process dies in a way that was not injected (`crash`). What each adapter
 * promises: pino-sync writes before `log()` returns, so nothing is in flight; pino-async and
 * pino-transport flush at `process.exit` from their exit hooks, not on SIGTERM; the reference
 * drains its queue at exit within `exitDrainMs`, not on SIGTERM, and nothing once its listener
 * is gone (its shutdown then reports failure at once instead of waiting).
 *
 * Fails on ALWAYS_FAIL except `unhandled-error`: the scenario itself kills the logger's worker
 * and logs on, and an error thrown at the caller then ("the worker has exited") is how the
 * logger reports the death it was dealt, so it is a fact here, not a defect.
 *
 * Upstream bug class: a transport's worker thread gone while the application logs on
 * ("the worker has exited", https://github.com/pinojs/pino/issues/1429).
 */

import fc from 'fast-check';
import { withDeadline } from '../harness/util/deadline.js';
import { encodeRecord } from '../harness/ledger/record.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'crash-mid-write',
  description: "records in flight when the logger's worker thread dies, an uncaught exception or SIGTERM; loss reported as facts, hangs fail",
  failOn: failOn([], { except: ['unhandled-error'] }),
  lossKind: 'exit-loss',
  reproduces: 'pino transports: "the worker has exited" once thread-stream\'s worker is gone (https://github.com/pinojs/pino/issues/1429)',
  trackWorkers: true,
  params: fc.record({
    how: fc.constantFrom('worker-death' as const, 'uncaught-exception' as const, 'sigterm' as const),
    records: fc.integer({ min: 1, max: 20_000 }),
    afterDeath: fc.integer({ min: 0, max: 2000 }),
    maxPayload: fc.integer({ min: 16, max: 1024 }),
  }),
  async run(ctx, { how, records, afterDeath, maxPayload }) {
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 16, maxPayload, level: 'info' });
    ctx.metrics({ callLatencyUs: outcome.latency });
    if (how !== 'worker-death') {
      ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
      ctx.phase(`injecting ${how}`);
      await ctx.crash(how);
      return;
    }
    const workers = ctx.loggerWorkers();
    ctx.phase(workers.length === 0 ? 'the logger started no worker thread: nothing to end' : `terminating ${workers.length} logger worker thread(s)`);
    const ended = await withDeadline(() => Promise.all(workers.map((w) => w.terminate())), ctx.spec.closeMs);
    if (!ended.ok) {
      ctx.finding({
        kind: 'hang',
        severity: 'error',
        message: `The logger's worker thread did not end within ${ctx.spec.closeMs} ms of terminate(): it is blocked outside JavaScript`,
        evidence: { workers: workers.length, ms: ended.ms },
      });
    }
    ctx.phase(`logging ${afterDeath} records after the worker's death`);
    let seq = outcome.produced;
    let threw = 0;
    for (let i = 0; i < afterDeath; i++) {
      try {
        outcome.logger.log('info', encodeRecord(0, seq++, 'after-worker-death'));
      } catch (error: unknown) {
        if (threw++ > 0) continue;
        const e = error instanceof Error ? error : new Error(String(error));
        ctx.finding({
          kind: 'unhandled-error',
          severity: 'error',
          message: `log() threw at the caller once the logger's worker thread was gone: ${e.message}`,
          evidence: { record: { producer: 0, seq: seq - 1 }, error: `${e.name}: ${e.message}`, stack: e.stack?.split('\n').slice(0, 6).join('\n') ?? '' },
        });
      }
    }
    ctx.produced([seq], outcome.logger.dropped?.() ?? 0);
    ctx.phase('closing after worker death');
    const closed = await ctx.close(outcome.logger);
    if (!closed.ok && closed.error === undefined) {
      ctx.finding({
        kind: 'exit-hang',
        severity: 'error',
        message: `The logger's shutdown did not finish within ${ctx.spec.closeMs} ms after its worker thread died`,
        evidence: { closeMs: closed.ms, boundMs: ctx.spec.closeMs, workers: workers.length },
      });
    } else if (closed.error !== undefined) {
      // Failing fast and saying so is the honest answer once the worker is gone.
      ctx.phase(`shutdown reported: ${closed.error}`);
    }
    ctx.phase('exiting');
    ctx.exit(0);
  },
});
