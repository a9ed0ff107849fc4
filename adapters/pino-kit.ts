/**
 * What the bundled pino adapters share for the sink-pathology scenarios: trace context through
 * pino's `mixin` reading an AsyncLocalStorage, a second destination through `pino.multistream`,
 * and a reentrant sink hooked on sonic-boom's 'write' event.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import type Pino from 'pino';
import type { AdapterContext, Level, LoggerInstance } from '../harness/contract/adapter.js';
import { carriesOuterRecord, reentryHook, sinkStream } from '../harness/sinks/sinks.js';

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
  // An application that gives pino a stream handles that stream's errors: Node ends the thread
  // on an 'error' event nobody listens to, which would be the adapter's doing, not pino's
  // (issue 13). The failed write's record is lost to that sink only; the healthy sink's
  // contents are the scenario's to judge.
  second.on('error', () => undefined);
  const stream = pino.multistream([
    { level: ctx.level, stream: primary },
    { level: ctx.level, stream: second },
  ]);
  return { stream, second };
}

/**
 * Logs from inside every write of `destination` that carried an outer record, through `logger`
 * (reentrant-sink), as a sink that reports what it wrote does.
 *
 * sonic-boom's 'write' event says how many bytes a write took, not which records: the hook keeps
 * the chunks pino handed to `write()` in order, with their byte length and whether they carry a
 * record of the run (not only reentrant ones), and consumes them by the bytes each 'write'
 * reports. A write that carried only reentrant records logs nothing: re-logging for it would
 * make the hook itself an endless loop, whatever the logger (issue 13).
 */
export function hookReentry(
  ctx: AdapterContext,
  destination: { on(event: 'write', listener: (n: number) => void): unknown; write(data: string): boolean },
  logger: Pino.Logger,
): void {
  const hook = reentryHook(ctx.sink, (message) => logger.info(message));
  if (hook === undefined) return;
  const pending: { bytes: number; outer: boolean }[] = [];
  const write = destination.write.bind(destination);
  destination.write = (data: string): boolean => {
    pending.push({ bytes: Buffer.byteLength(data, 'utf8'), outer: carriesOuterRecord(data) });
    return write(data);
  };
  destination.on('write', (n: number) => {
    let outer = false;
    let left = n;
    while (left > 0 && pending.length > 0) {
      const head = pending[0] as { bytes: number; outer: boolean };
      outer ||= head.outer;
      if (head.bytes <= left) {
        left -= head.bytes;
        pending.shift();
      } else {
        head.bytes -= left;
        left = 0;
      }
    }
    hook(outer);
  });
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

/** The parts of a sonic-boom destination the shutdown helpers use, on any release. */
export interface SonicLike {
  flush?: (...args: never[]) => unknown;
  minLength?: number;
  end(): void;
  fd?: number;
  once(event: 'ready' | 'close', listener: () => void): unknown;
}

/**
 * pino's `logger.flush(cb)` on these destinations, when the releases loaded can call back: pino
 * passes the callback on to sonic-boom's `flush(cb)`, which sonic-boom accepts only from 3.x
 * releases whose flush declares it (3.3.0's `flush()` takes none and never calls back, so pino
 * 8.21 over it would wait forever). Undefined on a release without it: the adapter then offers
 * no flush, and its close falls back to what every release documents (`end()`, then 'close').
 *
 * Also undefined for a destination that does not buffer (`minLength` 0, pino.destination's
 * default): sonic-boom documents that its flush then does nothing, and calls back at once while
 * a write is still in flight, so holding it to delivery would be a finding of the adapter's
 * making. (pino's own API doc says the callback waits for the logs to be flushed; the two
 * documents disagree, which is for pino to settle: noted, not reported.)
 */
export function sonicFlush(logger: Pino.Logger, ...destinations: readonly SonicLike[]): (() => Promise<void>) | undefined {
  const callsBack = logger.flush.length >= 1 && destinations.every((d) => typeof d.flush === 'function' && d.flush.length >= 1);
  const buffers = destinations.every((d) => typeof d.minLength === 'number' && d.minLength > 0);
  if (!callsBack || !buffers) return undefined;
  return async () => {
    // flush() throws while an asynchronous destination is still opening: wait for it first.
    await Promise.all(destinations.map((d) => opened(d)));
    await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
  };
}

/** Resolves once a sonic-boom destination has its file open ('ready'; fd -1 until then). */
export function opened(destination: SonicLike): Promise<void> {
  if (typeof destination.fd === 'number' && destination.fd >= 0) return Promise.resolve();
  return new Promise<void>((resolve) => destination.once('ready', resolve));
}

/**
 * The documented shutdown of sonic-boom destinations: flush where the release can say when it
 * is done, then `end()` each and wait for its 'close' (`end()` writes what is buffered first, on
 * every release).
 */
export async function closeSonic(flush: (() => Promise<void>) | undefined, ...destinations: readonly SonicLike[]): Promise<void> {
  if (flush !== undefined) await flush();
  else await Promise.all(destinations.map((d) => opened(d)));
  const closed = Promise.all(destinations.map((d) => new Promise<void>((resolve) => d.once('close', resolve))));
  for (const d of destinations) d.end();
  await closed;
}

/**
 * A pino logger over a `pino.transport(...)` stream, as the transport adapters run it: records
 * with their fields, trace context by mixin, and the documented shutdown (`end()` on the
 * transport, then its `close` event).
 */
export function transportInstance(pino: typeof Pino, level: Level, transport: ReturnType<typeof Pino.transport>): LoggerInstance {
  const logger = pino({ level, ...contextOptions() }, transport);
  return {
    log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
    withContext: withTraceContext,
    close: async () => {
      const closed = once(transport, 'close');
      transport.end();
      await closed;
    },
  };
}
