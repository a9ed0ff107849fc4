/**
 * log4js with its `file` appender (streamroller underneath) and a one-line layout: the basic
 * layout's `[time] [INFO] default - message`, with the fields formatted on one line. log4js's
 * basic layout formats them with `util.format`, which prints an object wider than 80 columns
 * over several lines by design: its continuation lines are not records, and an oracle that reads
 * a line as a record would call them torn (issue 13). A custom layout (`log4js.addLayout`) is
 * how log4js documents changing that. Documented shutdown: `log4js.shutdown(cb)`.
 */

import { formatWithOptions } from 'node:util';
import type Log4js from 'log4js';
import type { Writable } from 'node:stream';
import type { Appender, Logger, LoggingEvent } from 'log4js';
import { defineAdapter, type Level } from '../harness/contract/adapter.js';
import { carriesOuterRecord, reentryHook } from '../harness/sinks/sinks.js';
import { loadLog4js, versionsOf } from './loggers.js';
import { secondSinkStream } from './streams.js';

/** `log4js.shutdown(cb)` as a promise: resolves when every appender has flushed and closed. */
export function shutdownLog4js(log4js: typeof Log4js): Promise<void> {
  return new Promise<void>((resolve, reject) => log4js.shutdown((error?: Error) => (error ? reject(error) : resolve())));
}

/** The name of the one-line layout `configureLog4js` registers, for file appenders' `layout`. */
export const ONE_LINE_LAYOUT = { type: 'logjam-one-line' } as const;

/** One log4js configuration per thread (each thread has its own log4js module); `second`, a second appender every record also goes to. */
export function configureLog4js(
  appender: Record<string, unknown>,
  level: Level,
  second?: Record<string, unknown>,
  /** Appenders no category uses, that `appender` finds by name. */
  inner: Record<string, Record<string, unknown>> = {},
): { log4js: typeof Log4js; logger: Logger } {
  const log4js = loadLog4js();
  // The basic layout's prefix, and util.format's output with no line breaks (strings keep their
  // escapes: a newline inside a field value prints as \n, as the basic layout prints it too).
  log4js.addLayout(ONE_LINE_LAYOUT.type, () => (event) =>
    `[${new Date(event.startTime).toISOString()}] [${event.level.levelStr}] ${event.categoryName} - ${formatWithOptions({ breakLength: Infinity, compact: true }, ...(event.data as unknown[]))}`,
  );
  log4js.configure({
    appenders: { ...(inner as Record<string, Appender>), sink: appender as unknown as Appender, ...(second !== undefined ? { second: second as unknown as Appender } : {}) },
    categories: { default: { appenders: second !== undefined ? ['sink', 'second'] : ['sink'], level } },
  });
  return { log4js, logger: log4js.getLogger() };
}

/**
 * A log4js appender module (`{ type: { configure } }`, https://log4js-node.github.io/log4js-node/writing-appenders.html)
 * writing each event, in the one-line layout, to `stream`; its shutdown ends the stream.
 */
export function streamAppender(stream: Writable): Record<string, unknown> {
  return {
    type: {
      configure: (_config: unknown, layouts: { layout(name: string, config: object): (event: LoggingEvent) => string }) => {
        const layout = layouts.layout(ONE_LINE_LAYOUT.type, {});
        const append = (event: LoggingEvent): void => void stream.write(`${layout(event)}\n`);
        append.shutdown = (done: () => void): void => {
          if (stream.destroyed) done();
          else stream.end(() => done());
        };
        return append;
      },
    },
  };
}

/**
 * A custom appender (https://log4js-node.github.io/log4js-node/writing-appenders.html) that
 * passes each event to the appender named `inner` (found by name, as log4js's own
 * logLevelFilter finds the one it wraps; log4js shuts that one down itself) and then calls
 * `after` with whether the event was a record of the run, from inside the append.
 */
export function reportingAppender(inner: string, after: (outer: boolean) => void): Record<string, unknown> {
  return {
    type: {
      configure: (_config: unknown, _layouts: unknown, findAppender: (name: string) => ((event: LoggingEvent) => void) | false) => {
        const target = findAppender(inner);
        if (target === false) throw new Error(`log4js found no appender named ${inner}: this adapter does not know this log4js release`);
        return (event: LoggingEvent): void => {
          target(event);
          after(carriesOuterRecord(String((event.data as unknown[])[0])));
        };
      },
    },
  };
}

export default defineAdapter({
  name: 'log4js-file',
  description: "log4js with the file appender, one-line layout; shutdown: log4js.shutdown(cb)",
  capabilities: {
    format: 'text',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    // log4js documents that its file appenders buffer what the file cannot take yet, and that an
    // application which minds the memory listens for 'log4js:pause' and stops logging until it
    // is false again (https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage,
    // lib/appenders/file.js emits it when write() returns false). It drops nothing.
    overflow: 'grow',
    // A second appender (a custom one, as log4js documents writing them, over the application's
    // own stream) beside the file appender.
    secondSink: true,
    // A custom appender wrapping the file appender by name (as log4js's own logLevelFilter does)
    // logs through the same logger after each event it passed on, as an application reporting
    // what it wrote does.
    reentrantSink: true,
  },
  versions: () => versionsOf('log4js'),
  create(ctx) {
    const second = ctx.secondFile !== undefined ? streamAppender(secondSinkStream(ctx.secondFile, ctx.secondSink ?? {})) : undefined;
    const file = { type: 'file', filename: ctx.file, layout: ONE_LINE_LAYOUT };
    // The hook logs through the logger configured with it.
    const configured: { logger?: Logger } = {};
    const report = reentryHook(ctx.sink, (message) => configured.logger?.info(message));
    const { log4js, logger } =
      report !== undefined ? configureLog4js(reportingAppender('file', report), ctx.level, second, { file }) : configureLog4js(file, ctx.level, second);
    configured.logger = logger;
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
