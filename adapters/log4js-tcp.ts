/**
 * log4js's `tcp` appender shipping every event (serialised as one JSON line, `endMsg: '\n'`) to
 * logjam's loopback collector (`capabilities.tcp`: the harness gives its address to `create`).
 * log4js buffers events in memory while the socket is connecting or full, and its shutdown
 * waits at most 3 × 100 ms for that buffer before ending the socket.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { versionsOf } from './loggers.js';
import { configureLog4js, shutdownLog4js } from './log4js-file.js';

export default defineAdapter({
  name: 'log4js-tcp',
  description: "log4js tcp appender (JSON events, endMsg '\\n') to a loopback collector; shutdown: log4js.shutdown(cb)",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    tcp: true,
    exitNeedsShutdown: '"Remember to call log4js.shutdown when your application terminates, so that the sockets get closed cleanly", https://log4js-node.github.io/log4js-node/tcp.html',
  },
  versions: () => versionsOf('log4js'),
  create(ctx) {
    const address = ctx.collector;
    if (address === undefined) throw new Error('log4js-tcp: no collector address in ctx.collector, though the adapter declares tcp: this is a harness bug');
    const { log4js, logger } = configureLog4js({ type: 'tcp', host: address.host, port: address.port, endMsg: '\n' }, ctx.level);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
