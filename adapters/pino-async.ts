/**
 * pino with an asynchronous file destination (`pino.destination({ sync: false })`): calls
 * buffer in memory and sonic-boom writes in the background. Documented flush: `logger.flush(cb)`
 * (where the release can call back); documented shutdown: flush, then `end()`, waiting for the
 * destination's `close` event.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { closeSonic, contextOptions, destinationFor, hookReentry, sonicBuffered, sonicFlush, withTraceContext } from './pino-kit.js';

export default defineAdapter({
  name: 'pino-async',
  description: 'pino with pino.destination({ sync: false }) to a file',
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    // pino flushes an asynchronous destination at exit (lib/tools.js buildSafeSonicBoom).
    exitFlush: true,
    // sonic-boom's buffer has no maxLength by default: a slow device makes it grow.
    overflow: 'grow',
    secondSink: true,
    reentrantSink: true,
    context: 'async-local-storage',
    fields: true,
    // sonic-boom's reopen(), as pino documents for logrotate (https://getpino.io/#/docs/help?id=reopening-log-files):
    // what is logged meanwhile waits in its buffer for the new file.
    reopen: true,
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const destination = pino.destination({ dest: ctx.file, sync: false, append: true });
    const { stream: out, second } = destinationFor(pino, ctx, destination);
    const logger = pino({ level: ctx.level, ...contextOptions() }, out);
    hookReentry(ctx, destination, logger);
    // Feature-detected: a release whose flush cannot call back gets no flush() (issue 13).
    const flush = sonicFlush(logger, destination);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      withContext: withTraceContext,
      buffered: () => sonicBuffered(destination),
      reopen: () => destination.reopen(),
      ...(flush !== undefined ? { flush } : {}),
      close: async () => {
        await closeSonic(flush, destination);
        second?.end();
      },
    };
  },
});
