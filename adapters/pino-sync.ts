/**
 * pino with a synchronous file destination (`pino.destination({ sync: true })`): every call
 * writes before it returns. Documented shutdown: `flushSync()` then `end()`.
 */

import { defineAdapter } from '../harness/adapter.js';
import { loadPino, versionsOf } from './loggers.js';

export default defineAdapter({
  name: 'pino-sync',
  description: 'pino with pino.destination({ sync: true }) to a file',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const destination = pino.destination({ dest: ctx.file, sync: true, append: true });
    const logger = pino({ level: ctx.level }, destination);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      close: () => {
        logger.flush();
        destination.end();
      },
    };
  },
});
