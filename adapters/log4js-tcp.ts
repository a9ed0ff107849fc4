/**
 * log4js's `tcp` appender shipping every event (serialised as one JSON line, `endMsg: '\n'`) to
 * a collector on loopback. log4js buffers events in memory while the socket is connecting or
 * full, and its shutdown waits at most 3 × 100 ms for that buffer before ending the socket.
 *
 * The collector is logjam's own when the harness provides one (`ctx.collector`); otherwise
 * this adapter starts one in `setup()`, in the run's main thread, and shares its address with
 * the producer threads. An in-process collector dies with the process: records still in flight
 * at `process.exit` are lost with it (as they would be if the network dropped them).
 */

import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { defineAdapter } from '../harness/adapter.js';
import { versionsOf } from './loggers.js';
import { configureLog4js, shutdownLog4js } from './log4js-file.js';
import { startCollector } from './tcp-collector.js';

const COLLECTOR_KEY = 'logjam.log4js-tcp.collector';

interface Address {
  readonly host: string;
  readonly port: number;
}

/** The harness collector, on harnesses that provide one. */
function harnessCollector(ctx: object): Address | undefined {
  const collector = (ctx as { collector?: Address }).collector;
  return collector !== undefined && typeof collector.port === 'number' ? collector : undefined;
}

export default defineAdapter({
  name: 'log4js-tcp',
  description: "log4js tcp appender (JSON events, endMsg '\\n') to a loopback collector; shutdown: log4js.shutdown(cb)",
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, tcp: true },
  versions: () => versionsOf('log4js'),
  async setup(ctx) {
    if (harnessCollector(ctx) !== undefined) return {};
    const collector = await startCollector(ctx.file);
    setEnvironmentData(COLLECTOR_KEY, { host: collector.host, port: collector.port });
    return { close: () => collector.close() };
  },
  create(ctx) {
    const address = harnessCollector(ctx) ?? (getEnvironmentData(COLLECTOR_KEY) as Address | undefined);
    if (address === undefined) throw new Error('log4js-tcp: no collector address (neither ctx.collector nor setup()): this is a harness bug');
    const { log4js, logger } = configureLog4js({ type: 'tcp', host: address.host, port: address.port, endMsg: '\n' }, ctx.level);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](message, fields)),
      close: () => shutdownLog4js(log4js),
    };
  },
});
