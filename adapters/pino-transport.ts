/**
 * pino with a worker-thread transport (`pino.transport({ target: 'pino/file' })`): calls
 * copy records into a shared ring buffer that thread-stream's worker drains to the file.
 * Documented shutdown: `end()` on the transport, then its `close` event.
 */

import { once } from 'node:events';
import { defineAdapter } from '../harness/adapter.js';
import { loadPino, versionsOf } from './loggers.js';

export default defineAdapter({
  name: 'pino-transport',
  description: "pino with pino.transport({ target: 'pino/file' }), a worker-thread transport, to a file",
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const transport = pino.transport({ target: 'pino/file', options: { destination: ctx.file, append: true } });
    const logger = pino({ level: ctx.level }, transport);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      close: async () => {
        const closed = once(transport, 'close');
        transport.end();
        await closed;
      },
    };
  },
});
