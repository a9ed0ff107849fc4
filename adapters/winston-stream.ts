/**
 * winston with its Stream transport over the application's own `fs.createWriteStream` (JSON
 * format). Documented shutdown: `logger.end()` and `finish`; the application then ends the
 * stream it owns and waits for it to close.
 */

import { createWriteStream } from 'node:fs';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadWinston, versionsOf } from './loggers.js';
import { endStream, writableBytes } from './streams.js';
import { endWinston, winstonLevel } from './winston-file.js';

export default defineAdapter({
  name: 'winston-stream',
  description: 'winston with transports.Stream over fs.createWriteStream, JSON format; shutdown: end(), finish, then the stream',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, stream: true },
  versions: () => versionsOf('winston'),
  create(ctx) {
    const winston = loadWinston();
    // The application's own stream: a file stream, or the harness's when it gives one.
    const stream = ctx.stream ?? createWriteStream(ctx.file, { flags: 'a' });
    const logger = winston.createLogger({
      level: ctx.level,
      format: winston.format.json(),
      transports: [new winston.transports.Stream({ stream })],
    });
    return {
      log: (level, message, fields) => void (fields === undefined ? logger.log(winstonLevel(level), message) : logger.log(winstonLevel(level), message, fields)),
      buffered: () => writableBytes(stream),
      close: async () => {
        await endWinston(logger);
        await endStream(stream);
      },
    };
  },
});
