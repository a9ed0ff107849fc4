/**
 * pino with an asynchronous file destination (`pino.destination({ sync: false })`): calls
 * buffer in memory and sonic-boom writes in the background. Documented shutdown: `flush(cb)`
 * then `end()`, waiting for the destination's `close` event.
 */

import { once } from 'node:events';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { contextOptions, destinationFor, hookReentry, sonicBuffered, withTraceContext } from './pino-kit.js';

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
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const destination = pino.destination({ dest: ctx.file, sync: false, append: true });
    const { stream: out, second } = destinationFor(pino, ctx, destination);
    const logger = pino({ level: ctx.level, ...contextOptions() }, out);
    hookReentry(ctx, destination, logger);
    let ready = false;
    destination.once('ready', () => {
      ready = true;
    });
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      withContext: withTraceContext,
      buffered: () => sonicBuffered(destination),
      close: async () => {
        // flush() throws if the destination is not open yet; wait for it as the docs advise.
        if (!ready) await once(destination, 'ready');
        await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
        const closed = once(destination, 'close');
        destination.end();
        second?.end();
        await closed;
      },
    };
  },
});
