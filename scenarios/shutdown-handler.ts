/**
 * shutdown-handler: the application logs from the handlers that run when it is told to stop or
 * has failed: `beforeExit`, a SIGTERM handler, an `uncaughtException` handler, each registered
 * after the logger was created, as an application's shutdown code is.
 *
 * Load: the main thread logs `before` records and waits (bounded) until the sink holds them; it
 * registers the handler, then: `beforeExit` returns and lets the process end by itself; SIGTERM
 * is sent to the process itself; an exception is thrown from a callback. The handler logs
 * `inHandler` records; the SIGTERM and uncaughtException handlers then run the logger's
 * documented shutdown and call `process.exit` (0 and 1), as documented recipes do.
 * Pathology: the logger may have its own hook on the same event, run first (a logger that ends
 * itself on SIGTERM, or flushes on beforeExit and then stops).
 * Oracle: every record reaches the sink (`exit-loss`), the documented shutdown finishes
 * (`exit-hang`), the process ends with the code the handler chose and within the exit bound,
 * no error escapes the logger.
 *
 * Upstream bug class: a logger's own signal/exception hook ends its destination before the
 * application's handler logs "shutting down" (pino's transports end on exit with no
 * notification, https://github.com/pinojs/pino/issues/2002; winston's exception handlers exit
 * before the File transport wrote, https://github.com/winstonjs/winston/issues/1629).
 */

import fc from 'fast-check';
import { defineScenario } from '../harness/contract/scenario.js';
import { NATURAL_EXIT_FAILS_ON, countResources, reportShutdown, watchNaturalExit } from './natural-exit.js';
import { logInHandler, waitForSink } from './exit-listener.js';

const SETTLE_MS = 2000;

export default defineScenario({
  name: 'shutdown-handler',
  leavesLoggersOpen: true,
  description: 'log from beforeExit, SIGTERM and uncaughtException handlers, then the documented shutdown and process.exit; every record must reach the sink',
  failOn: NATURAL_EXIT_FAILS_ON,
  lossKind: 'exit-loss',
  reproduces: "a logger's own exit or signal hook ends its destination before the application's handler logs (https://github.com/pinojs/pino/issues/2002)",
  params: fc.record({
    where: fc.constantFrom('beforeExit' as const, 'sigterm' as const, 'uncaught-exception' as const),
    before: fc.integer({ min: 1, max: 200 }),
    inHandler: fc.integer({ min: 1, max: 20 }),
  }),
  async run(ctx, { where, before, inHandler }) {
    const baseline = countResources(process.getActiveResourcesInfo());
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records: before, minPayload: 8, maxPayload: 64, level: 'info' });
    const logger = outcome.logger;
    ctx.produced([before], logger.dropped?.() ?? 0);
    ctx.phase('settling');
    const seen = await waitForSink(ctx, before, SETTLE_MS);
    ctx.phase(`settled: ${seen} of ${before} in the sink; registering the ${where} handler`);
    const logAll = (): void => {
      logInHandler(ctx, logger, before, inHandler, where);
      ctx.produced([before + inHandler], logger.dropped?.() ?? 0);
    };
    if (where === 'beforeExit') {
      let logged = false;
      // 'beforeExit' fires again each time the loop empties; an application logs once.
      process.on('beforeExit', () => {
        if (logged) return;
        logged = true;
        logAll();
      });
      ctx.phase('returned: the beforeExit handler logs when the loop empties');
      watchNaturalExit(ctx, 'the scenario returned (a beforeExit handler logs at the end)', baseline);
      return;
    }
    const code = where === 'sigterm' ? 0 : 1;
    // The application's server: what keeps a process alive until SIGTERM arrives (a signal
    // handler alone does not, and the process would end before Node delivers the signal).
    const serving = setInterval(() => undefined, 1000);
    const handler = (): void => {
      clearInterval(serving);
      logAll();
      void ctx.close(logger).then((closed) => {
        reportShutdown(ctx, closed);
        ctx.exit(code);
      });
    };
    if (where === 'sigterm') process.once('SIGTERM', handler);
    else process.once('uncaughtException', handler);
    await ctx.crash(where);
  },
});
