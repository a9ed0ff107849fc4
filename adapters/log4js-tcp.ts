/**
 * log4js's `tcp` appender shipping every event (serialised as one JSON line, `endMsg: '\n'`) to
 * logjam's loopback collector (`capabilities.tcp`: the harness gives its address to `create`).
 * log4js buffers events in memory while the socket is connecting or full, and its shutdown
 * waits at most 3 × 100 ms for that buffer before ending the socket.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { versionsOf } from './loggers.js';
import type { Logger } from 'log4js';
import { reentryHook } from '../harness/sinks/sinks.js';
import { configureLog4js, reportingAppender, shutdownLog4js, streamAppender } from './log4js-file.js';
import { secondSinkStream } from './streams.js';

export default defineAdapter({
  name: 'log4js-tcp',
  description: "log4js tcp appender (JSON events, endMsg '\\n') to a loopback collector; shutdown: log4js.shutdown(cb)",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    tcp: true,
    // A second appender (a custom one, as log4js documents writing them, over the application's
    // own stream) beside the tcp appender, as applications ship to a collector and a file at once.
    secondSink: true,
    // A custom appender wrapping the tcp appender by name (as log4js's own logLevelFilter does)
    // logs through the same logger after each event it passed on, as log4js-file's does. The tcp
    // appender writes to its socket (or buffers the event while it cannot) inside that call.
    reentrantSink: true,
    exitNeedsShutdown: '"Remember to call log4js.shutdown when your application terminates, so that the sockets get closed cleanly", https://log4js-node.github.io/log4js-node/tcp.html',
  },
  versions: () => versionsOf('log4js'),
  create(ctx) {
    const address = ctx.collector;
    if (address === undefined) throw new Error('log4js-tcp: no collector address in ctx.collector, though the adapter declares tcp: this is a harness bug');
    const second = ctx.secondFile !== undefined ? streamAppender(secondSinkStream(ctx.secondFile, ctx.secondSink ?? {})) : undefined;
    const tcp = { type: 'tcp', host: address.host, port: address.port, endMsg: '\n' };
    // The hook logs through the logger configured with it.
    const configured: { logger?: Logger } = {};
    const report = reentryHook(ctx.sink, (message) => configured.logger?.info(message));
    const { log4js, logger } =
      report !== undefined ? configureLog4js(reportingAppender('tcp', report), ctx.level, second, { tcp }) : configureLog4js(tcp, ctx.level, second);
    configured.logger = logger;
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
