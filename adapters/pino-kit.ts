/**
 * What the bundled pino adapters share for the sink-pathology scenarios: trace context through
 * pino's `mixin` reading an AsyncLocalStorage, a second destination through `pino.multistream`,
 * and a reentrant sink hooked on sonic-boom's 'write' event.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import type Pino from 'pino';
import type { AdapterContext } from '../harness/contract/adapter.js';
import { reentryHook, sinkStream } from '../harness/sinks/sinks.js';

/** The trace context of the calling code; pino's `mixin` adds it to every record. */
export const traceContext = new AsyncLocalStorage<Readonly<Record<string, string>>>();

export function contextOptions(): Pick<Pino.LoggerOptions, 'mixin'> {
  return { mixin: () => traceContext.getStore() ?? {} };
}

export const withTraceContext = <T>(fields: Readonly<Record<string, string>>, fn: () => T): T => traceContext.run(fields, fn);

/**
 * The destination pino writes to: `primary` alone, or, with a second sink asked for, a
 * multistream of `primary` and logjam's (failing) sink. pino writes streams of one level in the
 * reverse order of the array, so the failing sink is written first, the configuration of
 * https://github.com/pinojs/pino/pull/2455.
 */
export function destinationFor(
  pino: typeof Pino,
  ctx: AdapterContext,
  primary: Pino.DestinationStream,
): { stream: Pino.DestinationStream; second?: ReturnType<typeof sinkStream> } {
  if (ctx.secondFile === undefined) return { stream: primary };
  const second = sinkStream(ctx.secondFile, ctx.secondSink ?? {});
  const stream = pino.multistream([
    { level: ctx.level, stream: primary },
    { level: ctx.level, stream: second },
  ]);
  return { stream, second };
}

/** Logs from inside every write of `destination` through `logger` (reentrant-sink). */
export function hookReentry(ctx: AdapterContext, destination: { on(event: 'write', listener: (n: number) => void): unknown }, logger: Pino.Logger): void {
  const hook = reentryHook(ctx.sink, (message) => logger.info(message));
  if (hook !== undefined) destination.on('write', () => hook());
}

/**
 * What sonic-boom destinations hold in memory, unwritten: their pending length (`_len`, bytes
 * in buffer mode, UTF-16 units in pino's default string mode). Internal, so read defensively.
 */
export function sonicBuffered(...destinations: readonly object[]): number {
  let pending = 0;
  for (const d of destinations) {
    const len = (d as { _len?: unknown })._len;
    if (typeof len === 'number') pending += len;
  }
  return pending;
}
