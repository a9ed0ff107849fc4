/**
 * log4js shipping over HTTP with its `@log4js-node/logstash-http` appender (the log4js-node
 * organisation's HTTP appender, for Logstash or Elasticsearch's `_bulk` endpoint), configured as
 * its README's example: `{ type: '@log4js-node/logstash-http', url, application, logType,
 * logChannel }`, to logjam's loopback HTTP collector (`capabilities.http`, `httpBody:
 * 'elastic-bulk'`).
 *
 * What its source says it does (lib/index.js, 1.1.0, axios 0.21):
 * - one POST per event, sent as the event is logged and not awaited: requests run concurrently
 *   (`order: 'none'`); the body is a bulk pair, an `index` action line and a document whose
 *   `message` is `util.format(...event.data)`;
 * - a failed request (any status but 2xx, a connection error, the `timeout`) is not retried:
 *   `console.error` prints it and the record is gone; nothing counts it, so no `dropped()`;
 * - the appender has no `shutdown` function, so `log4js.shutdown(cb)` does not wait for its
 *   requests (log4js lib/log4js.js calls back once every appender that has one has shut down).
 *
 * One departure from the README's example: `timeout: 30_000` (the documented option; 5 000 by
 * default, pino-loki's default is 30 000). logjam's collector runs on the same machine, in the
 * run's own process, and at a load of 7 to 14 on two cores the logging threads, starved of CPU,
 * read answers the collector had sent within milliseconds only after 5 s: hundreds of requests
 * timed out per run and their events were dropped, in runs that passed on a quieter machine
 * (failing-sink seed 2: 195 lost with two CPU burners beside it, none without). That measured the
 * machine, not the appender; what the appender does with a failed request is the same whatever
 * failed it, and http-collector's 5xx and resets show it deterministically.
 *
 * Shutdown: `log4js.shutdown(cb)`, log4js's documented way to flush its appenders before exit.
 */

import type { Logger } from 'log4js';
import { defineAdapter } from '../harness/contract/adapter.js';
import { reentryHook } from '../harness/sinks/sinks.js';
import { loggerVersions } from './load.js';
import { HELPERS } from './loggers.js';
import { configureLog4js, reportingAppender, shutdownLog4js, streamAppender } from './log4js-file.js';
import { secondSinkStream } from './streams.js';

/** The appender's request timeout: its documented `timeout` option, raised from 5 s (see above). */
const REQUEST_TIMEOUT_MS = 30_000;

export default defineAdapter({
  name: 'log4js-http',
  description: "log4js with the @log4js-node/logstash-http appender (one bulk POST per event) to a loopback HTTP collector; shutdown: log4js.shutdown(cb)",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    http: true,
    httpBody: 'elastic-bulk',
    order: 'none',
    // As log4js-tcp: a second appender over the application's own stream beside the HTTP one,
    // and a custom appender wrapping it by name that logs through the same logger after each
    // event it passed on (the appender starts that event's POST inside the call).
    secondSink: true,
    reentrantSink: true,
  },
  versions: () => loggerVersions('log4js', [...HELPERS.log4js, '@log4js-node/logstash-http', 'axios']),
  create(ctx) {
    const address = ctx.collector;
    if (address === undefined) throw new Error('log4js-http: no collector address in ctx.collector, though the adapter declares http: this is a harness bug');
    const second = ctx.secondFile !== undefined ? streamAppender(secondSinkStream(ctx.secondFile, ctx.secondSink ?? {})) : undefined;
    const http = { type: '@log4js-node/logstash-http', url: `http://${address.host}:${address.port}/_bulk`, application: 'logjam', logType: 'application', logChannel: 'logjam', timeout: REQUEST_TIMEOUT_MS };
    // The hook logs through the logger configured with it.
    const configured: { logger?: Logger } = {};
    const report = reentryHook(ctx.sink, (message) => configured.logger?.info(message));
    const { log4js, logger } =
      report !== undefined ? configureLog4js(reportingAppender('http', report), ctx.level, second, { http }) : configureLog4js(http, ctx.level, second);
    configured.logger = logger;
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
