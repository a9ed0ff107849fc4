/**
 * winston's File transport with size rotation (`maxsize`): a full file is closed and the next
 * one is opened (sink.log, sink1.log, sink2.log, ...). One rotating transport per process, as
 * an application configures it: several threads rotating one file would race each other's
 * renames by configuration, not by a bug, so this adapter logs from the main thread only.
 *
 * secondSink: a second transport (`transports.Stream` over the application's own stream) beside
 * the rotating file, as winston-file has. reentrantSink: a listener on the File transport's
 * 'logged' event (emitted from the write callback of whichever file stream is current, once per
 * record written, rotation or not) logs through the same logger, as winston-file's does.
 * (This is winston's own File rotation; winston-daily-rotate-file is not a dependency.)
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadWinston, versionsOf } from './loggers.js';
import { endStream, rotatedFiles, winstonFileBytes } from './streams.js';
import { endWinston, hookLogged, secondTransport, winstonLevel } from './winston-file.js';

/** Small enough that a start-up burst (tens of MB) rotates dozens of times. */
export const ROTATE_BYTES = 1024 * 1024;

export default defineAdapter({
  name: 'winston-rotating',
  description: `winston transports.File with maxsize ${ROTATE_BYTES / 1024} KiB (size rotation), JSON format; shutdown: end() and finish`,
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: false, fields: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('winston'),
  sinkFiles: (file) => rotatedFiles(file, 'winston'),
  create(ctx) {
    const winston = loadWinston();
    const file = new winston.transports.File({ filename: ctx.file, maxsize: ROTATE_BYTES, tailable: false });
    const second = secondTransport(winston, ctx);
    const logger = winston.createLogger({
      level: ctx.level,
      format: winston.format.json(),
      transports: [file, ...(second !== undefined ? [second.transport] : [])],
    });
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
