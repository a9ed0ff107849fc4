/**
 * bunyan writing to the application's own `fs.createWriteStream` (a `{ stream }` entry).
 * Shutdown: the application ends the stream it owns and waits for it to close.
 */

import { createWriteStream } from 'node:fs';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream } from './streams.js';

export default defineAdapter({
  name: 'bunyan-stream',
  description: 'bunyan with a { stream } entry over fs.createWriteStream; shutdown: end the stream and wait for close',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, stream: true },
  versions: () => versionsOf('bunyan'),
  create(ctx) {
    const bunyan = loadBunyan();
    // The application's own stream: a file stream, or the harness's when it gives one.
    const stream = ctx.stream ?? createWriteStream(ctx.file, { flags: 'a' });
    const logger = bunyan.createLogger({ name: 'logjam', level: ctx.level, streams: [{ level: ctx.level, stream }] });
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      close: () => endStream(stream),
    };
  },
});
