/**
 * log4js's file appender with size rotation (`maxLogSize`): streamroller renames sink.log to
 * sink.log.1 (and .1 to .2, ...) when it is full. One rotating appender per process, so the
 * adapter logs from the main thread only.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { versionsOf } from './loggers.js';
import type { Logger } from 'log4js';
import { reentryHook } from '../harness/sinks/sinks.js';
import { configureLog4js, ONE_LINE_LAYOUT, reportingAppender, shutdownLog4js, streamAppender } from './log4js-file.js';
import { rotatedFiles, secondSinkStream } from './streams.js';

export const ROTATE_BYTES = 1024 * 1024;
/**
 * Backups kept: enough that no run deletes one (a deleted backup is loss by configuration), few
 * enough that streamroller's renames of every backup at each roll stay an ordinary cost.
 */
const BACKUPS = 100;

export default defineAdapter({
  name: 'log4js-rotating',
  description: `log4js file appender with maxLogSize ${ROTATE_BYTES / 1024} KiB, backups ${BACKUPS}, one-line layout; shutdown: log4js.shutdown(cb)`,
  capabilities: {
    format: 'text',
    gracefulShutdown: true,
    threads: false,
    fields: true,
    // log4js documents that its file appenders buffer what the file cannot take yet, and that an
    // application which minds the memory listens for 'log4js:pause' and stops logging until it
    // is false again (https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage,
    // lib/appenders/file.js emits it when write() returns false). It drops nothing.
    overflow: 'grow',
    // A second appender (a custom one, as log4js documents writing them, over the application's
    // own stream) beside the rotating file appender, as log4js-file has.
    secondSink: true,
    // A custom appender wrapping the rotating file appender by name (as log4js's own
    // logLevelFilter does) logs through the same logger after each event it passed on, as
    // log4js-file's does.
    reentrantSink: true,
  },
  versions: () => versionsOf('log4js'),
  sinkFiles: (file) => rotatedFiles(file, 'numbered-suffix'),
  create(ctx) {
    const second = ctx.secondFile !== undefined ? streamAppender(secondSinkStream(ctx.secondFile, ctx.secondSink ?? {})) : undefined;
    const file = { type: 'file', filename: ctx.file, maxLogSize: ROTATE_BYTES, backups: BACKUPS, layout: ONE_LINE_LAYOUT };
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
