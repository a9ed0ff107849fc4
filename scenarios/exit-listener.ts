/**
 * exit-listener: the application logs from its own `process.on('exit')` listener, registered
 * after the logger was created (the most common way code says "exiting with code N").
 *
 * Load: the main thread logs `before` records and waits (bounded) until the sink holds them, so
 * the logger is open and idle; it then registers an 'exit' listener that logs `inListener`
 * records, and ends with `process.exit(0)` or by returning (`ends`).
 * Pathology: none in the sink; the records arrive when only synchronous work can still happen,
 * after the logger's own exit hook (registered first) has run.
 * Oracle: every record reaches the sink (`exit-loss` with the listener's records named in the
 * evidence), no error escapes the logger (`unhandled-error`), the process exits with its code.
 * Applies only to adapters whose logger promises to write what it holds at exit
 * (`capabilities.exitFlush`): for an asynchronous stream with no exit hook, losing what is
 * logged during 'exit' is what Node's documentation says of any asynchronous work there.
 *
 * Upstream bug it reproduces: pino with a transport (or `pino.destination({ sync: false })`)
 * loses every record logged in an 'exit' listener after `process.exit()`: its own exit hook
 * (on-exit-leak-free) has already ended the destination (https://github.com/pinojs/pino/issues/1400,
 * open).
 */

import fc from 'fast-check';
import type { LoggerInstance } from '../harness/contract/adapter.js';
import { defineScenario, type ScenarioContext } from '../harness/contract/scenario.js';
import { encodeRecord } from '../harness/ledger/record.js';
import { readSink } from '../harness/ledger/sink-check.js';
import { errorMessage } from '../harness/util/deadline.js';
import { NATURAL_EXIT_FAILS_ON, countResources, watchNaturalExit } from './natural-exit.js';

/** How long the scenario waits for the records logged before the listener to reach the sink. */
const SETTLE_MS = 2000;

/** Waits, polling the sink file, until it holds `count` of producer 0's records or `ms` passes. */
export async function waitForSink(ctx: ScenarioContext, count: number, ms: number): Promise<number> {
  const until = performance.now() + ms;
  let seen = 0;
  for (;;) {
    seen = readSink(ctx.file, ctx.adapter.capabilities.format).delivered.get(0)?.size ?? 0;
    if (seen >= count || performance.now() >= until) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Logs records `from`..`from + count - 1` as producer 0, synchronously; a call that throws is an
 * error escaping the logger into the application's handler, reported once.
 */
export function logInHandler(ctx: ScenarioContext, logger: LoggerInstance, from: number, count: number, where: string): void {
  let threw: unknown;
  for (let seq = from; seq < from + count; seq++) {
    try {
      logger.log('warn', encodeRecord(0, seq, `${where}-${seq}`));
    } catch (error: unknown) {
      threw ??= error;
    }
  }
  if (threw !== undefined) {
    const e = threw instanceof Error ? threw : new Error(errorMessage(threw));
    ctx.finding({
      kind: 'unhandled-error',
      severity: 'error',
      message: `A log call inside the application's ${where} handler threw: ${e.message}`,
      evidence: { where, message: e.message, stack: e.stack ?? '', signature: `throws-in-${where}` },
    });
  }
}

export default defineScenario({
  name: 'exit-listener',
  leavesLoggersOpen: true,
  description: "log from the application's own process.on('exit') listener, after process.exit() or a natural end; every record must reach the sink",
  failOn: NATURAL_EXIT_FAILS_ON,
  lossKind: 'exit-loss',
  reproduces: "records logged in an 'exit' listener are lost after the logger's exit hook ended its destination (https://github.com/pinojs/pino/issues/1400)",
  params: fc.record({
    before: fc.integer({ min: 1, max: 200 }),
    inListener: fc.integer({ min: 1, max: 20 }),
    ends: fc.constantFrom('process-exit' as const, 'return' as const),
  }),
  skip: (capabilities) =>
    capabilities.exitFlush !== true
      ? "the logger promises no write at exit (capabilities.exitFlush): asynchronous work cannot finish in an 'exit' listener"
      : undefined,
  async run(ctx, { before, inListener, ends }) {
    const baseline = countResources(process.getActiveResourcesInfo());
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records: before, minPayload: 8, maxPayload: 64, level: 'info' });
    const logger = outcome.logger;
    ctx.produced([before], logger.dropped?.() ?? 0);
    ctx.phase('settling');
    const seen = await waitForSink(ctx, before, SETTLE_MS);
    ctx.phase(`settled: ${seen} of ${before} in the sink; registering the exit listener`);
    process.on('exit', (code) => {
      logInHandler(ctx, logger, before, inListener, 'exit');
      // Sent synchronously: it lands before the process ends.
      ctx.produced([before + inListener], logger.dropped?.() ?? 0);
      ctx.phase(`exit listener logged ${inListener} records (code ${code})`);
    });
    if (ends === 'process-exit') ctx.exit(0);
    ctx.phase('returned: waiting for the process to end by itself');
    watchNaturalExit(ctx, 'the scenario returned (an exit listener logs at the end)', baseline);
  },
});
