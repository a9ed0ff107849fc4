/**
 * bunyan with a `path` stream (bunyan opens the file itself). bunyan has no close():
 * its documented way to flush is to end the logger's streams and wait for them to finish
 * (https://github.com/trentm/node-bunyan/issues/37).
 */

import type Bunyan from 'bunyan';
import { defineAdapter } from '../harness/contract/adapter.js';
import { reentryHook } from '../harness/sinks/sinks.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream, hookStreamWrites, secondSinkStream } from './streams.js';

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
  // reentrantSink: the file stream's write callback (the record is in the file) logs through
  // the same logger, as an application reporting what it wrote does.
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, reopen: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('bunyan'),
  create(ctx) {
    const bunyan = loadBunyan();
    const second = ctx.secondFile !== undefined ? secondSinkStream(ctx.secondFile, ctx.secondSink ?? {}) : undefined;
    const logger = bunyan.createLogger({
      name: 'logjam',
      level: ctx.level,
      streams: [{ level: ctx.level, path: ctx.file }, ...(second !== undefined ? [{ level: ctx.level, stream: second }] : [])],
    });
    const hook = reentryHook(ctx.sink, (message) => logger.info(message));
    let hooked: { stop(): Promise<void> } | undefined;
    if (hook !== undefined) {
      const file = (logger as unknown as { streams: { stream: NodeJS.WritableStream }[] }).streams[0]?.stream;
      if (file === undefined) throw new Error('bunyan created no stream for the file: this adapter does not know this bunyan release');
      hooked = hookStreamWrites(file, hook);
    }
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      reopen: () => logger.reopenFileStreams(),
      close: async () => {
        await hooked?.stop();
        await endBunyan(logger);
      },
    };
  },
});
