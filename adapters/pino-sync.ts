/**
 * pino with a synchronous file destination (`pino.destination({ sync: true })`): every call
 * writes before it returns. Documented shutdown: `flushSync()` then `end()`.
 */

import { createRequire } from 'node:module';
import pino from 'pino';
import { defineAdapter } from '../harness/adapter.js';
import { packageVersions } from './versions.js';

const require = createRequire(import.meta.url);

export default defineAdapter({
  name: 'pino-sync',
  description: 'pino with pino.destination({ sync: true }) to a file',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true },
  versions: () => packageVersions(require, ['pino', 'sonic-boom']),
  create(ctx) {
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
