/**
 * pino shipping records over TCP the way pino documents it: the `pino-socket` transport
 * (`pino.transport({ target: 'pino-socket', options: { mode: 'tcp', reconnect: true, recovery: true } })`),
 * which runs the socket in thread-stream's worker, handles socket errors there, reconnects
 * after a reset or a refusal, and queues what is written meanwhile in a bounded FIFO (16 MiB
 * here) that it replays once the connection is back. A bare `net.Socket` handed to `pino()`
 * has no error handler, no reconnect and no end at exit: its findings would be the adapter's,
 * not pino's (issue 13). Documented shutdown: `end()` on the transport, then its `close` event.
 */

import { once } from 'node:events';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loggerVersions } from './load.js';
import { HELPERS, loadPino } from './loggers.js';

/** pino-socket's recovery queue bound, in bytes of queued records. */
const RECOVERY_QUEUE_BYTES = 16 * 1024 * 1024;

export default defineAdapter({
  name: 'pino-tcp',
  description: "pino with the pino-socket transport (tcp, reconnect, recovery queue) to the TCP collector",
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, tcp: true },
  versions: () => loggerVersions('pino', [...HELPERS.pino, 'pino-socket']),
  create(ctx) {
    if (ctx.collector === undefined) {
      throw new Error('pino-tcp sends to the collector logjam starts for adapters with `tcp: true`, but none was given: this is a harness bug');
    }
    const pino = loadPino();
    const transport = pino.transport({
      target: 'pino-socket',
      options: {
        address: ctx.collector.host,
        port: ctx.collector.port,
        mode: 'tcp',
        reconnect: true,
        recovery: true,
        recoveryQueueMaxSize: RECOVERY_QUEUE_BYTES,
        backoffStrategy: { name: 'exponential', initialDelay: 20, maxDelay: 200 },
      },
    });
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
