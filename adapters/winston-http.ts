/**
 * winston with its Http transport (`new winston.transports.Http({ host, port, path })`, JSON
 * format, no batching) posting every record to logjam's loopback HTTP collector
 * (`capabilities.http`).
 *
 * What winston's source says it does (lib/winston/transports/http.js, winston 3.x):
 * - one POST per record, sent at once, with the callback called on the next tick ("Fire and
 *   forget here so requests dont cause buffering"): requests run concurrently, so records can
 *   reach the service in another order than they were logged (`order: 'none'`);
 * - a failed request (a connection error, or any status but 200) is not retried: the transport
 *   emits `warn` with the error, once per record; a delivered one emits `logged`. The adapter
 *   counts every `warn` as a record winston reported dropped
 *   (https://github.com/winstonjs/winston/pull/2463 asks for the record in that event, for
 *   applications that want to keep it).
 *
 * Shutdown: `logger.end()` and `finish`, as winston's README shows; but `finish` comes before
 * the requests are answered (the callback above), so `close` then waits for every record handed
 * to the transport to have its `logged` or `warn` event, as an application that must count what
 * it lost has to. Without that wait, a record whose request failed after `finish` would be
 * neither delivered nor counted, and logjam would call winston's reported drop a silent loss.
 * The adapter counts the records the transport took by wrapping its `log` (one call per record).
 *
 * secondSink: a second transport (`transports.Stream` over the application's own stream) beside
 * the Http one, as an application that ships its logs also keeps them locally. reentrantSink: a
 * listener on the Http transport's 'logged' event, which winston emits once per record when the
 * service answered that record's POST with 200 (http.js `log()`'s request callback), logs through
 * the same logger, as an application reporting what it shipped does. Its record is posted like
 * any other; its own 'logged' carries no record of the run, so it logs nothing (issue 13).
 */

import { defineAdapter, type Level } from '../harness/contract/adapter.js';
import { loadWinston, versionsOf } from './loggers.js';
import { endStream } from './streams.js';
import { endWinston, hookLogged, secondTransport, winstonLevel } from './winston-file.js';

export default defineAdapter({
  name: 'winston-http',
  description: 'winston with transports.Http to a loopback HTTP collector, JSON, one POST per record; shutdown: end(), finish, then every request answered',
  capabilities: { format: 'ndjson', gracefulShutdown: true, threads: true, fields: true, http: true, reportsDrops: true, order: 'none', secondSink: true, reentrantSink: true },
  versions: () => versionsOf('winston'),
  create(ctx) {
    const address = ctx.collector;
    if (address === undefined) throw new Error('winston-http: no collector address in ctx.collector, though the adapter declares http: this is a harness bug');
    const winston = loadWinston();
    const transport = new winston.transports.Http({ host: address.host, port: address.port, path: '/logs' });
    // Records the transport took from the logger's stream: counted at its log(), which winston
    // calls once per record (no batching); the count changes nothing the transport does.
    let handed = 0;
    const transportLog = transport.log?.bind(transport);
    if (transportLog === undefined) throw new Error('winston-http: this winston has no Http transport log(): expected winston 3');
    transport.log = (info, callback) => {
      handed++;
      transportLog(info, callback);
    };
    let delivered = 0;
    let failed = 0;
    let settled: (() => void) | undefined;
    const outcome = (): void => {
      if (delivered + failed >= handed) settled?.();
    };
    // When: the collector answered 200 to a record's request.
    transport.on('logged', () => {
      delivered++;
      outcome();
    });
    // When: a record's request failed (connection error or a status but 200); winston does not retry it.
    transport.on('warn', () => {
      failed++;
      outcome();
    });
    const second = secondTransport(winston, ctx);
    const logger = winston.createLogger({ level: ctx.level, format: winston.format.json(), transports: [transport, ...(second !== undefined ? [second.transport] : [])] });
    const reentry = hookLogged(ctx, transport, logger);
    const log = (level: Level, message: string, fields?: Readonly<Record<string, unknown>>): void => {
      const l = winstonLevel(level);
      if (fields === undefined) logger.log(l, message);
      else logger.log(l, message, fields);
    };
    return {
      log,
      dropped: () => failed,
      close: async () => {
        reentry.stop();
        // end() may fail ("write after end": records still in the logger's own buffer never
        // reach the transport, https://github.com/winstonjs/winston/issues/2219); what the
        // transport did take is still waited for, so its drops are counted, then the error stands.
        const error = await endWinston(logger).then(
          () => undefined,
          (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
        );
        // Bounded by logjam's close deadline, like every close.
        await new Promise<void>((resolve) => {
          settled = resolve;
          outcome();
        });
        if (second !== undefined) await endStream(second.stream, 'finish');
        if (error !== undefined) throw error;
      },
    };
  },
});
