/**
 * console-redirect: the application routes the console into its logger, as applications that
 * capture third-party `console.*` output do (`console.log = (...args) => logger.info(...)`), and
 * logs through the console.
 *
 * Load: `records` records logged in the main thread through `console.info`, `console.warn` and
 * `console.error` in turn, with `console.log`, `info`, `warn`, `error` and `debug` routed into the
 * logger at the matching level (`util.format` of the arguments, as the console formats them).
 * The redirect is installed before the logger is created or after it (`redirectFirst`): a logger
 * that looks the console up when it is created binds the redirect in the first case.
 * Pathology: anything the logger itself prints through the console (a console destination that
 * calls `console.log`, its own warnings through `console.error`) comes straight back into it.
 * The redirect counts its own nesting and drops a call `depthCap` deep (it never reaches the real
 * console, so nothing is written to the run's stdout), so an unbounded loop is reported, not a
 * stack overflow.
 * Oracle: no loop through the console (`recursion`: a console call made from inside a console
 * call that the redirect had routed into the logger), no error out of a console call
 * (`unhandled-error`; that record is counted refused, not lost), every record arrives once and
 * whole (`lost-records`, `duplicate-records`, `torn-records`).
 *
 * Upstream bug class: a console redirected into a logger that writes to the console recurses
 * until the stack overflows (winston's Console transport once used console.log and was changed to
 * write to stdout for this reason, https://github.com/winstonjs/winston/issues/162; consola's
 * wrapAll, https://github.com/unjs/consola/issues/31; ain2 with console methods replaced,
 * https://github.com/phuesler/ain/issues/31).
 */

import { format } from 'node:util';
import fc from 'fast-check';
import { encodeRecord } from '../harness/ledger/record.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import type { Level } from '../harness/contract/adapter.js';

const ROUTED = { log: 'info', info: 'info', warn: 'warn', error: 'error', debug: 'debug' } as const satisfies Record<string, Level>;
type Method = keyof typeof ROUTED;
const METHODS = Object.keys(ROUTED) as Method[];
const CALLED: readonly ('info' | 'warn' | 'error')[] = ['info', 'warn', 'error'];

export default defineScenario({
  name: 'console-redirect',
  description: "the console is routed into the logger and records are logged through it; no loop through the console, no error out of it, every record once",
  failOn: failOn(['recursion', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a console redirected into a logger that writes to the console recurses until the stack overflows (https://github.com/winstonjs/winston/issues/162)',
  params: fc.record({
    records: fc.integer({ min: 10, max: 2000 }),
    depthCap: fc.integer({ min: 4, max: 32 }),
    redirectFirst: fc.boolean(),
  }),
  async run(ctx, { records, depthCap, redirectFirst }) {
    // Put back onto console itself afterwards, never called apart from it.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = new Map(METHODS.map((m) => [m, console[m]] as const));
    let logger: Awaited<ReturnType<typeof ctx.createLogger>> | undefined;
    let depth = 0;
    let maxDepth = 0;
    let capped = 0;
    let nested = 0;
    const install = (): void => {
      for (const method of METHODS) {
        console[method] = (...args: unknown[]): void => {
          if (depth > 0) nested++;
          if (depth >= depthCap) {
            capped++;
            return;
          }
          depth++;
          maxDepth = Math.max(maxDepth, depth);
          try {
            logger?.log(ROUTED[method], format(...args));
          } finally {
            depth--;
          }
        };
      }
    };
    const restore = (): void => {
      for (const [method, fn] of original) console[method] = fn;
    };
    const refused: { producer: number; seq: number }[] = [];
    let produced = 0;
    try {
      if (redirectFirst) install();
      ctx.phase('create-logger');
      logger = await ctx.createLogger({ producer: 0 });
      if (!redirectFirst) install();
      ctx.phase('logging');
      let firstThrow: { seq: number; error: string } | undefined;
      for (let seq = 0; seq < records; seq++) {
        produced = seq + 1;
        try {
          console[CALLED[seq % CALLED.length] as 'info'](encodeRecord(0, seq, `via-console-${seq}`));
        } catch (error: unknown) {
          refused.push({ producer: 0, seq });
          firstThrow ??= { seq, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
        }
      }
      if (firstThrow !== undefined) {
        ctx.finding({
          kind: 'unhandled-error',
          severity: 'error',
          message: `${refused.length} console call(s) routed into the logger threw into the caller; the first, on record ${firstThrow.seq}: ${firstThrow.error}`,
          evidence: { threw: refused.length, seq: firstThrow.seq, error: firstThrow.error },
        });
      }
    } finally {
      restore();
    }
    if (capped > 0) {
      ctx.finding({
        kind: 'recursion',
        severity: 'error',
        message: `The logger called the console from inside a console call routed into it: the redirect nested ${maxDepth} deep and dropped ${capped} call(s) at its cap of ${depthCap}; without the cap this loop overflows the stack`,
        evidence: { maxDepth, depthCap, capped, nestedCalls: nested, redirectFirst },
      });
    } else if (nested > 0) {
      ctx.finding({
        kind: 'recursion',
        // Bounded: information, not a failure (the loop above is the failure).
        severity: 'info',
        message: `The logger called the console ${nested} time(s) from inside console calls routed into it, nesting ${maxDepth} deep (below the cap of ${depthCap}): each comes back into the logger`,
        evidence: { maxDepth, depthCap, nestedCalls: nested, redirectFirst },
      });
    }
    ctx.phase('closing');
    const closed = logger !== undefined ? await ctx.close(logger) : { ok: true, ms: 0 };
    if (!closed.ok) {
      ctx.finding({
        kind: 'exit-hang',
        severity: 'error',
        message: closed.error !== undefined ? `The logger's shutdown failed after logging through the console: ${closed.error}` : `The logger's shutdown did not finish within ${ctx.spec.closeMs} ms`,
        evidence: { closeMs: closed.ms, boundMs: ctx.spec.closeMs },
      });
    }
    ctx.produced([produced], logger?.dropped?.() ?? 0, refused);
    ctx.phase(`console: max depth ${maxDepth}, ${nested} nested call(s)`);
    ctx.phase('done');
  },
});
