/**
 * log4js with its `file` appender (streamroller underneath) and the default basic layout
 * (`[time] [INFO] default - message`). Documented shutdown: `log4js.shutdown(cb)`.
 */

import type Log4js from 'log4js';
import type { Appender, Logger } from 'log4js';
import { defineAdapter, type Level } from '../harness/contract/adapter.js';
import { loadLog4js, versionsOf } from './loggers.js';

/** `log4js.shutdown(cb)` as a promise: resolves when every appender has flushed and closed. */
export function shutdownLog4js(log4js: typeof Log4js): Promise<void> {
  return new Promise<void>((resolve, reject) => log4js.shutdown((error?: Error) => (error ? reject(error) : resolve())));
}

/** One log4js configuration per thread (each thread has its own log4js module). */
export function configureLog4js(appender: Record<string, unknown>, level: Level): { log4js: typeof Log4js; logger: Logger } {
  const log4js = loadLog4js();
  log4js.configure({
    appenders: { sink: appender as unknown as Appender },
    categories: { default: { appenders: ['sink'], level } },
  });
  return { log4js, logger: log4js.getLogger() };
}

export default defineAdapter({
  name: 'log4js-file',
  description: "log4js with the file appender, basic layout; shutdown: log4js.shutdown(cb)",
  capabilities: { format: 'text', gracefulShutdown: true, threads: true, fields: true },
  versions: () => versionsOf('log4js'),
  create(ctx) {
    const { log4js, logger } = configureLog4js({ type: 'file', filename: ctx.file }, ctx.level);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
