/**
 * winston with its File transport (`new winston.transports.File({ filename })`), JSON format.
 * Documented shutdown: `logger.end()`, then the logger's `finish` event
 * (https://github.com/winstonjs/winston#awaiting-logs-to-be-written-in-winston).
 */

import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Logger } from 'winston';
import { defineAdapter, type AdapterContext, type Level } from '../harness/contract/adapter.js';
import { carriesOuterRecord, reentryHook } from '../harness/sinks/sinks.js';
import { loadWinston, versionsOf } from './loggers.js';
import { endStream, secondSinkStream, winstonFileBytes } from './streams.js';

/** winston's npm levels have no `fatal`: an application logs those at `error`. */
export const winstonLevel = (level: Level): 'debug' | 'info' | 'warn' | 'error' => (level === 'fatal' ? 'error' : level);

/**
 * `logger.end()`, resolved by the logger's `finish` event, as winston's README shows. An 'error'
 * on the way (winston#2219's "write after end") does not end the wait: winston still finishes
 * and writes what its transports took, so giving up at the first error made the process exit
 * early and counted those records lost too (a graceful-exit run reported 56 of 112 delivered
 * where waiting for 'finish' delivers 101 to 107). The first error is then the close's failure.
 * The listener stays on: an application that listens for 'error' does not die of a second one.
 */
export function endWinston(logger: Logger): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    logger.on('error', (error: Error) => (failure ??= error));
    logger.once('finish', () => (failure !== undefined ? reject(failure) : resolve()));
    logger.end();
  });
}

/**
 * The run's second destination as winston takes one: a second transport, `transports.Stream`
 * over the application's own stream (`secondSinkStream`), beside the adapter's main transport,
 * as applications ship to a file and somewhere else at once. Undefined when the scenario asks
 * for no second sink. The application ends the stream after the logger (`endStream(stream, 'finish')`).
 */
export function secondTransport(winston: ReturnType<typeof loadWinston>, ctx: AdapterContext): { transport: InstanceType<typeof winston.transports.Stream>; stream: Writable } | undefined {
  if (ctx.secondFile === undefined) return undefined;
  const stream = secondSinkStream(ctx.secondFile, ctx.secondSink ?? {});
  return { transport: new winston.transports.Stream({ stream }), stream };
}

/**
 * The reentrant hook (`ctx.sink.reenter`, reentrant-sink) on a transport's 'logged' event,
 * which winston emits once per record the transport wrote: a listener logs through the same
 * logger, as an application reporting what it wrote does. A record carried a record of the run
 * unless it is the hook's own. Call `stop()` before ending the logger (reentryHook says why).
 */
export function hookLogged(ctx: AdapterContext, transport: EventEmitter, logger: Logger): { stop(): void } {
  const hook = reentryHook(ctx.sink, (message) => logger.info(message));
  if (hook === undefined) return { stop: () => undefined };
  transport.on('logged', (info: { message?: unknown }) => hook(carriesOuterRecord(String(info.message))));
  return hook;
}

export default defineAdapter({
  name: 'winston-file',
  description: 'winston with transports.File to a file, JSON format; shutdown: end() and the finish event',
  // secondSink: a second transport (transports.Stream over the application's own stream), as
  // applications ship to a file and somewhere else at once. reentrantSink: a listener on the
  // File transport's 'logged' event (emitted from its stream's write callback, once per record
  // written) logs through the same logger, as an application reporting what it wrote does.
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('winston'),
  create(ctx) {
    const winston = loadWinston();
    const second = secondTransport(winston, ctx);
    const file = new winston.transports.File({ filename: ctx.file });
    const logger = winston.createLogger({
      level: ctx.level,
      format: winston.format.json(),
      transports: [file, ...(second !== undefined ? [second.transport] : [])],
    });
    // The File transport emits 'logged' from its stream's write callback, once per record written.
    const reentry = hookLogged(ctx, file, logger);
    return {
      log: (level, message, fields) => void (fields === undefined ? logger.log(winstonLevel(level), message) : logger.log(winstonLevel(level), message, fields)),
      buffered: () => winstonFileBytes(logger),
      close: async () => {
        reentry.stop();
        await endWinston(logger);
        if (second !== undefined) await endStream(second.stream, 'finish');
      },
    };
  },
});
