/**
 * pino with a synchronous file destination (`pino.destination({ sync: true })`): every call
 * writes before it returns. Documented shutdown: `flushSync()` then `end()`.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { contextOptions, destinationFor, hookReentry, sonicBuffered, withTraceContext } from './pino-kit.js';

export default defineAdapter({
  name: 'pino-sync',
  description: 'pino with pino.destination({ sync: true }) to a file',
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    // Every write is synchronous: nothing is held at exit.
    exitFlush: true,
    // A full device blocks the caller in write(2): nothing is dropped, nothing is bounded.
    overflow: 'block',
    secondSink: true,
    reentrantSink: true,
    context: 'async-local-storage',
    fields: true,
    stream: true,
    // sonic-boom's reopen(), as pino documents for logrotate (https://getpino.io/#/docs/help?id=reopening-log-files).
    reopen: true,
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const stream = ctx.stream;
    if (stream !== undefined) {
      // An application's own stream: pino writes each record into it synchronously, and has no
      // flush for it (pino documents logger.flush for its own sonic-boom destination; on any
      // other stream it calls back at once), so the adapter offers none (issue 13). The
      // application ends its stream and waits for it to finish.
      const logger = pino({ level: ctx.level }, stream);
      return {
        log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
        close: async () => {
          await new Promise<void>((resolve, reject) => {
            stream.once('error', reject);
            stream.end(() => resolve());
          });
        },
      };
    }
    const destination = pino.destination({ dest: ctx.file, sync: true, append: true });
    const { stream: out, second } = destinationFor(pino, ctx, destination);
    const logger = pino({ level: ctx.level, ...contextOptions() }, out);
    hookReentry(ctx, destination, logger);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      withContext: withTraceContext,
      buffered: () => sonicBuffered(destination),
      reopen: () => destination.reopen(),
      close: () => {
        logger.flush();
        destination.end();
        second?.end();
      },
    };
  },
});
