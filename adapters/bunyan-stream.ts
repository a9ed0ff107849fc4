/**
 * bunyan writing to the application's own `fs.createWriteStream` (a `{ stream }` entry).
 * Shutdown: the application ends the stream it owns and waits for it to close.
 */

import { createWriteStream } from 'node:fs';
import { defineAdapter } from '../harness/contract/adapter.js';
import { reentryHook } from '../harness/sinks/sinks.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream, hookStreamWrites, secondSinkStream } from './streams.js';

export default defineAdapter({
  name: 'bunyan-stream',
  description: 'bunyan with a { stream } entry over fs.createWriteStream; shutdown: end the stream and wait for close',
  // secondSink: a second { stream } entry (the application's own Writable) beside the file stream.
  // reentrantSink: the application's file stream's write callback (the record is in the file)
  // logs through the same logger, as bunyan-file's does: bunyan writes one record per write().
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, stream: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('bunyan'),
  create(ctx) {
    const bunyan = loadBunyan();
    // The application's own stream: a file stream, or the harness's when it gives one.
    const stream = ctx.stream ?? createWriteStream(ctx.file, { flags: 'a' });
    const second = ctx.secondFile !== undefined ? secondSinkStream(ctx.secondFile, ctx.secondSink ?? {}) : undefined;
    const logger = bunyan.createLogger({
      name: 'logjam',
      level: ctx.level,
      streams: [{ level: ctx.level, stream }, ...(second !== undefined ? [{ level: ctx.level, stream: second }] : [])],
    });
    const hook = reentryHook(ctx.sink, (message) => logger.info(message));
    const hooked = hook !== undefined ? hookStreamWrites(stream, hook) : undefined;
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      close: async () => {
        await hooked?.stop();
        await endStream(stream);
        if (second !== undefined) await endStream(second, 'finish');
      },
    };
  },
});
