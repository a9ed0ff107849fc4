/**
 * log4js's file appender with size rotation (`maxLogSize`): streamroller renames sink.log to
 * sink.log.1 (and .1 to .2, ...) when it is full. One rotating appender per process, so the
 * adapter logs from the main thread only.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { versionsOf } from './loggers.js';
import { configureLog4js, ONE_LINE_LAYOUT, shutdownLog4js } from './log4js-file.js';
import { rotatedFiles } from './streams.js';

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
  },
  versions: () => versionsOf('log4js'),
  sinkFiles: (file) => rotatedFiles(file, 'numbered-suffix'),
  create(ctx) {
    const { log4js, logger } = configureLog4js({ type: 'file', filename: ctx.file, maxLogSize: ROTATE_BYTES, backups: BACKUPS, layout: ONE_LINE_LAYOUT }, ctx.level);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
