/**
 * bunyan's `rotating-file` stream. bunyan rotates by time only (it has no size rotation), so
 * the period is short enough (bunyan's hidden millisecond scope) that bursts straddle
 * rotations: sink.log is current, sink.log.0 the newest rotated file. While a rotation renames
 * files, bunyan queues records in memory (`rotQueue`). One rotating stream per process, so the
 * adapter logs from the main thread only.
 *
 * Shutdown: bunyan has no close(); end the rotating stream (its current file stream) and wait
 * for that file stream to finish, as for any bunyan stream.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadBunyan, versionsOf } from './loggers.js';
import { bunyanBytes, endStream, rotatedFiles } from './streams.js';

/** Rotation period, in bunyan's syntax. */
export const ROTATE_PERIOD = '100ms';
/** Rotated files kept: enough that no run deletes one (a deleted file is loss by configuration). */
const KEEP = 1000;

interface RotatingFileStream extends NodeJS.EventEmitter {
  readonly stream: NodeJS.EventEmitter & { end(): unknown };
  readonly rotating: boolean;
  end(): void;
}

export default defineAdapter({
  name: 'bunyan-rotating',
  description: `bunyan with a rotating-file stream, period ${ROTATE_PERIOD} (bunyan rotates by time only), count ${KEEP}; shutdown: end the stream`,
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: false, fields: true },
  versions: () => versionsOf('bunyan'),
  sinkFiles: (file) => rotatedFiles(file, 'numbered-suffix'),
  create(ctx) {
    const bunyan = loadBunyan();
    const logger = bunyan.createLogger({
      name: 'logjam',
      level: ctx.level,
      streams: [{ type: 'rotating-file', level: ctx.level, path: ctx.file, period: ROTATE_PERIOD, count: KEEP }],
    });
    const rotating = (logger as unknown as { streams: { stream: RotatingFileStream }[] }).streams[0]?.stream;
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => bunyanBytes(logger),
      close: async () => {
        if (rotating === undefined) return;
        // The current file stream, as bunyan's own end() ends it; a rotation in progress
        // replaces it when it finishes, and what it queued is written to the new one.
        await endStream(rotating.stream, 'finish');
      },
    };
  },
});
