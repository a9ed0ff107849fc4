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
import type { Appender, Logger } from 'log4js';
import { defineAdapter, type Level } from '../harness/contract/adapter.js';
import { loadLog4js, versionsOf } from './loggers.js';

/** `log4js.shutdown(cb)` as a promise: resolves when every appender has flushed and closed. */
export function shutdownLog4js(log4js: typeof Log4js): Promise<void> {
  return new Promise<void>((resolve, reject) => log4js.shutdown((error?: Error) => (error ? reject(error) : resolve())));
}

/** The name of the one-line layout `configureLog4js` registers, for file appenders' `layout`. */
export const ONE_LINE_LAYOUT = { type: 'logjam-one-line' } as const;

/** One log4js configuration per thread (each thread has its own log4js module). */
export function configureLog4js(appender: Record<string, unknown>, level: Level): { log4js: typeof Log4js; logger: Logger } {
  const log4js = loadLog4js();
  // The basic layout's prefix, and util.format's output with no line breaks (strings keep their
  // escapes: a newline inside a field value prints as \n, as the basic layout prints it too).
  log4js.addLayout(ONE_LINE_LAYOUT.type, () => (event) =>
    `[${new Date(event.startTime).toISOString()}] [${event.level.levelStr}] ${event.categoryName} - ${formatWithOptions({ breakLength: Infinity, compact: true }, ...(event.data as unknown[]))}`,
  );
  log4js.configure({
    appenders: { sink: appender as unknown as Appender },
    categories: { default: { appenders: ['sink'], level } },
  });
  return { log4js, logger: log4js.getLogger() };
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
  },
  versions: () => versionsOf('log4js'),
  create(ctx) {
    const { log4js, logger } = configureLog4js({ type: 'file', filename: ctx.file, layout: ONE_LINE_LAYOUT }, ctx.level);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
