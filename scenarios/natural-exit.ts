/**
 * natural-exit: the main thread logs M records and returns. No shutdown call, no
 * `process.exit`: the process must end by itself once its event loop is empty, with every
 * record in the sink, as a CLI tool or a batch job that simply finishes expects. Nothing of the
 * harness keeps the process alive (its threads and timers are unref'd), so whatever does is the
 * logger's: a socket, a timer, a worker. A process still alive at the exit bound is an
 * `exit-hang` with the resources that keep it alive; any record lost is an `exit-loss`.
 *
 * With the exit scenarios it completes the matrix of how an application ends:
 * exit-after-logging (no shutdown, process.exit), graceful-exit (shutdown, process.exit),
 * natural-exit (no shutdown, return) and natural-exit-graceful (shutdown, return).
 */

import fc from 'fast-check';
import { shutdownFinding, type CloseOutcome } from '../harness/util/deadline.js';
import type { FindingKind } from '../harness/contract/result.js';
import { defineScenario, failOn, type ScenarioContext } from '../harness/contract/scenario.js';

/** How long after returning the scenario looks at what keeps the process alive (the bound is the supervisor's exit bound, 3 s). */
const LOOK_MS = 2000;

export const NATURAL_EXIT_FAILS_ON: readonly FindingKind[] = failOn(['exit-loss', 'duplicate-records', 'torn-records']);

export const naturalExitParams = fc.record({ records: fc.integer({ min: 1, max: 5000 }), maxPayload: fc.integer({ min: 1, max: 2048 }) });

/**
 * Arms an unref'd timer (it cannot keep the process alive itself) that, if the process is still
 * running `LOOK_MS` after the scenario returned, says what keeps it alive. The look is evidence,
 * not a verdict (issue 13): the process is observed until it really ends, and the supervisor's
 * exit bound, counted on the process's CPU clock, decides whether it hung. A logger whose late
 * timer writes its tail and lets the process end after the look passes; the look fails the run,
 * as the exit-hang it describes, only when the supervisor had to end the process at the bound
 * (harness/run/verdict.ts, `ALIVE_LOOK`).
 */
export function watchNaturalExit(ctx: ScenarioContext, after: string, baseline: Readonly<Record<string, number>>): void {
  const returned = performance.now();
  setTimeout(() => {
    const resources = countResources(process.getActiveResourcesInfo(), baseline);
    ctx.finding({
      kind: 'exit-hang',
      severity: 'info',
      message: `The process was still alive ${Math.round(performance.now() - returned)} ms after ${after}; it keeps running on: ${Object.entries(resources)
        .map(([k, n]) => `${k}×${n}`)
        .join(', ') || 'nothing Node lists (native code)'}`,
      evidence: { afterMs: Math.round(performance.now() - returned), activeResources: resources, signature: 'natural-exit' },
    });
  }, LOOK_MS).unref();
}

/**
 * The resources Node lists as active, by kind, less those present before the logger existed
 * (the harness's own stdio pipes to the supervisor, which do not keep the process alive).
 */
export function countResources(list: readonly string[], baseline: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of list) out[r] = (out[r] ?? 0) + 1;
  for (const [k, n] of Object.entries(baseline)) {
    const left = (out[k] ?? 0) - n;
    if (left > 0) out[k] = left;
    else delete out[k];
  }
  return out;
}

/**
 * A documented shutdown that outlived its bound is an exit-hang; one that failed with an error
 * did not hang, it is an error out of the logger (`unhandled-error`, with the shutdown's error).
 */
export function reportShutdown(ctx: ScenarioContext, closed: CloseOutcome): void {
  const finding = shutdownFinding('The documented shutdown', closed, ctx.spec.closeMs);
  if (finding !== undefined) ctx.finding(finding);
}

export default defineScenario({
  name: 'natural-exit',
  leavesLoggersOpen: true,
  description: 'log M records (multi-byte UTF-8) in the main thread, then return with no shutdown and no process.exit; the process must end by itself with every record',
  failOn: NATURAL_EXIT_FAILS_ON,
  lossKind: 'exit-loss',
  params: naturalExitParams,
  skip: (capabilities) =>
    capabilities.exitNeedsShutdown !== undefined
      ? `the logger documents that the application must call its shutdown to end the process (${capabilities.exitNeedsShutdown}); natural-exit-graceful calls it`
      : undefined,
  async run(ctx, { records, maxPayload }) {
    const baseline = countResources(process.getActiveResourcesInfo());
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({ records, minPayload: 1, maxPayload, text: 'utf8', level: 'info' });
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ callLatencyUs: outcome.latency });
    ctx.phase('returned: waiting for the process to end by itself');
    watchNaturalExit(ctx, 'logging was done (no shutdown call)', baseline);
  },
});
