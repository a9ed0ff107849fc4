/**
 * winston's File transport with size rotation (`maxsize`): a full file is closed and the next
 * one is opened (sink.log, sink1.log, sink2.log, ...). One rotating transport per process, as
 * an application configures it: several threads rotating one file would race each other's
 * renames by configuration, not by a bug, so this adapter logs from the main thread only.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadWinston, versionsOf } from './loggers.js';
import { rotatedFiles, winstonFileBytes } from './streams.js';
import { endWinston, winstonLevel } from './winston-file.js';

/** Small enough that a start-up burst (tens of MB) rotates dozens of times. */
export const ROTATE_BYTES = 1024 * 1024;

export default defineAdapter({
  name: 'winston-rotating',
  description: `winston transports.File with maxsize ${ROTATE_BYTES / 1024} KiB (size rotation), JSON format; shutdown: end() and finish`,
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: false, fields: true },
  versions: () => versionsOf('winston'),
  sinkFiles: (file) => rotatedFiles(file, 'winston'),
  create(ctx) {
    const winston = loadWinston();
    const logger = winston.createLogger({
      level: ctx.level,
      format: winston.format.json(),
      transports: [new winston.transports.File({ filename: ctx.file, maxsize: ROTATE_BYTES, tailable: false })],
    });
    return {
      log: (level, message, fields) => void (fields === undefined ? logger.log(winstonLevel(level), message) : logger.log(winstonLevel(level), message, fields)),
      buffered: () => winstonFileBytes(logger),
      close: () => endWinston(logger),
    };
  },
});
