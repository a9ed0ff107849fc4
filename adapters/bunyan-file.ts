/**
 * bunyan with a `path` stream (bunyan opens the file itself). bunyan has no close():
 * its documented way to flush is to end the logger's streams and wait for them to finish
 * (https://github.com/trentm/node-bunyan/issues/37).
 */

import type Bunyan from 'bunyan';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream, secondSinkStream } from './streams.js';

/** Ends every stream the logger owns and waits until each has closed its file. */
export async function endBunyan(logger: Bunyan): Promise<void> {
  const streams = (logger as unknown as { streams: { stream: NodeJS.WritableStream & NodeJS.EventEmitter }[] }).streams;
  await Promise.all(streams.map((s) => endStream(s.stream as Parameters<typeof endStream>[0])));
}

export default defineAdapter({
  name: 'bunyan-file',
  description: "bunyan with a { path } file stream; shutdown: end the logger's streams and wait for close",
  // reopen: bunyan's reopenFileStreams(), documented for logrotate (https://github.com/trentm/node-bunyan/issues/104).
  // secondSink: a second stream (the application's own Writable) beside the file.
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, reopen: true, secondSink: true },
  versions: () => versionsOf('bunyan'),
  create(ctx) {
    const bunyan = loadBunyan();
    const second = ctx.secondFile !== undefined ? secondSinkStream(ctx.secondFile, ctx.secondSink ?? {}) : undefined;
    const logger = bunyan.createLogger({
      name: 'logjam',
      level: ctx.level,
      streams: [{ level: ctx.level, path: ctx.file }, ...(second !== undefined ? [{ level: ctx.level, stream: second }] : [])],
    });
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      reopen: () => logger.reopenFileStreams(),
      close: () => endBunyan(logger),
    };
  },
});
