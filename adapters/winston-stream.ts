/**
 * winston with its Stream transport over the application's own `fs.createWriteStream` (JSON
 * format). Documented shutdown: `logger.end()` and `finish`; the application then ends the
 * stream it owns and waits for it to close.
 *
 * secondSink: a second transport (`transports.Stream` over the application's own second stream),
 * as winston-file has. reentrantSink: a listener on the Stream transport's 'logged' event logs
 * through the same logger. That transport emits 'logged' once per record, on the tick after it
 * wrote the record's line into the stream (`setImmediate` in lib/winston/transports/stream.js's
 * `log()`), not from the stream's write callback: "the record is written", in winston's sense,
 * is what an application listening for 'logged' is told, and the hook reports exactly that.
 */

import { createWriteStream } from 'node:fs';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadWinston, versionsOf } from './loggers.js';
import { endStream, writableBytes } from './streams.js';
import { endWinston, hookLogged, secondTransport, winstonLevel } from './winston-file.js';

export default defineAdapter({
  name: 'winston-stream',
  description: 'winston with transports.Stream over fs.createWriteStream, JSON format; shutdown: end(), finish, then the stream',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, stream: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('winston'),
  create(ctx) {
    const winston = loadWinston();
    // The application's own stream: a file stream, or the harness's when it gives one.
    const stream = ctx.stream ?? createWriteStream(ctx.file, { flags: 'a' });
    const main = new winston.transports.Stream({ stream });
    const second = secondTransport(winston, ctx);
    const logger = winston.createLogger({
      level: ctx.level,
      format: winston.format.json(),
      transports: [main, ...(second !== undefined ? [second.transport] : [])],
    });
    const reentry = hookLogged(ctx, main, logger);
    return {
      log: (level, message, fields) => void (fields === undefined ? logger.log(winstonLevel(level), message) : logger.log(winstonLevel(level), message, fields)),
      buffered: () => writableBytes(stream),
      close: async () => {
        reentry.stop();
        await endWinston(logger);
        await endStream(stream);
        if (second !== undefined) await endStream(second.stream, 'finish');
      },
    };
  },
});
