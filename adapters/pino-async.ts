/**
 * pino with an asynchronous file destination (`pino.destination({ sync: false })`): calls
 * buffer in memory and sonic-boom writes in the background. Documented shutdown: `flush(cb)`
 * then `end()`, waiting for the destination's `close` event.
 */

import { once } from 'node:events';
import { defineAdapter } from '../harness/adapter.js';
import { loadPino, versionsOf } from './loggers.js';

export default defineAdapter({
  name: 'pino-async',
  description: 'pino with pino.destination({ sync: false }) to a file',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const destination = pino.destination({ dest: ctx.file, sync: false, append: true });
    const logger = pino({ level: ctx.level }, destination);
    let ready = false;
    destination.once('ready', () => {
      ready = true;
    });
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      close: async () => {
        // flush() throws if the destination is not open yet; wait for it as the docs advise.
        if (!ready) await once(destination, 'ready');
        await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
        const closed = once(destination, 'close');
        destination.end();
        await closed;
      },
    };
  },
});
