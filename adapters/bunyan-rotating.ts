/**
 * bunyan's `rotating-file` stream. bunyan rotates by time only (it has no size rotation), so
 * the period is short enough (bunyan's hidden millisecond scope) that bursts straddle
 * rotations: sink.log is current, sink.log.0 the newest rotated file. While a rotation renames
 * files, bunyan queues records in memory (`rotQueue`). One rotating stream per process, so the
 * adapter logs from the main thread only.
 *
 * Shutdown: bunyan has no close(); end the rotating stream (its current file stream) and wait
 * for that file stream to finish, as for any bunyan stream.
 *
 * Second sink: a second `{ stream }` entry (the application's own Writable) beside the rotating
 * file. Reentrant hook: bunyan's RotatingFileStream has no per-record write completion: its
 * write(s) takes no callback, forwards to the current file stream without one, and during a
 * rotation only queues the record (rotQueue), which finish() later writes to the new file
 * stream, again without a callback (lib/bunyan.js, RotatingFileStream.prototype.write and
 * rotate's finish). So the hook here is the one per-record call bunyan itself makes: its
 * write(s) on the rotating stream, once per record; the hook logs through the same logger right
 * after that write returns, from inside it (as a sink reporting each record it was handed does,
 * and as log4js-file's wrapping appender does), not once the record is in the file.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { carriesOuterRecord, reentryHook } from '../harness/sinks/sinks.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream, rotatedFiles, secondSinkStream } from './streams.js';

/** Rotation period, in bunyan's syntax. */
export const ROTATE_PERIOD = '100ms';
/** Rotated files kept: enough that no run deletes one (a deleted file is loss by configuration). */
const KEEP = 1000;

interface RotatingFileStream extends NodeJS.EventEmitter {
  readonly stream: NodeJS.EventEmitter & { end(): unknown };
  readonly rotating: boolean;
  end(): void;
  write(s: string): boolean;
}

export default defineAdapter({
  name: 'bunyan-rotating',
  description: `bunyan with a rotating-file stream, period ${ROTATE_PERIOD} (bunyan rotates by time only), count ${KEEP}; shutdown: end the stream`,
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: false, fields: true, secondSink: true, reentrantSink: true },
  versions: () => versionsOf('bunyan'),
  sinkFiles: (file) => rotatedFiles(file, 'numbered-suffix'),
  create(ctx) {
    const bunyan = loadBunyan();
    const second = ctx.secondFile !== undefined ? secondSinkStream(ctx.secondFile, ctx.secondSink ?? {}) : undefined;
    const logger = bunyan.createLogger({
      name: 'logjam',
      level: ctx.level,
      streams: [
        { type: 'rotating-file', level: ctx.level, path: ctx.file, period: ROTATE_PERIOD, count: KEEP },
        ...(second !== undefined ? [{ level: ctx.level, stream: second }] : []),
      ],
    });
    const rotating = (logger as unknown as { streams: { stream: RotatingFileStream }[] }).streams[0]?.stream;
    const hook = reentryHook(ctx.sink, (message) => logger.info(message));
    if (hook !== undefined) {
      if (rotating === undefined) throw new Error('bunyan created no rotating-file stream: this adapter does not know this bunyan release');
      const write = rotating.write.bind(rotating);
      rotating.write = (chunk: string) => {
        const more = write(chunk);
        hook(carriesOuterRecord(String(chunk)));
        return more;
      };
    }
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      close: async () => {
        hook?.stop();
        // The current file stream, as bunyan's own end() ends it; a rotation in progress
        // replaces it when it finishes, and what it queued is written to the new one.
        if (rotating !== undefined) await endStream(rotating.stream, 'finish');
        if (second !== undefined) await endStream(second, 'finish');
      },
    };
  },
});
