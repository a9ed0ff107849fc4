/**
 * pino writing to a TCP socket: `pino(net.connect(collector))`, the destination most "ship my
 * logs to Logstash" setups start from. pino has no reconnect and no buffer bound of its own:
 * the socket buffers what is written before it connects or while the collector is slow, and a
 * refused or reset connection is an 'error' on the socket, which nothing here handles.
 * Documented shutdown: `end()` on the socket, then its `close` event.
 */

import { once } from 'node:events';
import { connect } from 'node:net';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';

export default defineAdapter({
  name: 'pino-tcp',
  description: 'pino with a net.Socket destination to the TCP collector (no reconnect)',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, tcp: true },
  versions: () => versionsOf('pino'),
  create(ctx) {
    if (ctx.collector === undefined) {
      throw new Error('pino-tcp sends to the collector logjam starts for adapters with `tcp: true`, but none was given: this is a harness bug');
    }
    const pino = loadPino();
    const socket = connect({ host: ctx.collector.host, port: ctx.collector.port });
    const logger = pino({ level: ctx.level }, socket);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      close: async () => {
        if (socket.destroyed) return;
        const closed = once(socket, 'close');
        socket.end();
        await closed;
      },
    };
  },
});
