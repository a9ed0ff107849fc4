/**
 * Standalone reproductions: for findings on real loggers, a short script in `repro/` that uses
 * the logger alone (no logjam), shows the same symptom, prints `SYMPTOM: ...` and exits 1 while
 * the bug is there (0 once it is fixed). A finding that can be pasted into an upstream issue is
 * the product; `logjam findings` names the script beside each finding it matches and copies them
 * with `--repro-dir`.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FindingKind, Report } from '../contract/result.js';

export interface Reproduction {
  /** The adapter and scenario whose finding it reproduces. */
  readonly adapter: string;
  readonly scenario: string;
  /** The finding kinds it shows (any of them on a failing run matches). */
  readonly kinds: readonly FindingKind[];
  /** File name in `repro/`. */
  readonly script: string;
  /** What the script shows, in one line. */
  readonly shows: string;
  readonly upstream: string;
}

export const REPRODUCTIONS: readonly Reproduction[] = [
  {
    adapter: 'pino-transport',
    scenario: 'exit-listener',
    kinds: ['exit-loss'],
    script: 'pino-transport.exit-listener.cjs',
    shows: "every record logged from process.on('exit') after process.exit() is lost: pino's exit hook already ended the transport",
    upstream: 'https://github.com/pinojs/pino/issues/1400',
  },
  ...['pino-async', 'pino-multistream'].map((adapter) => ({
    adapter,
    scenario: 'exit-listener',
    kinds: ['exit-loss'] as const,
    script: 'pino-async.exit-listener.cjs',
    shows: "records logged from process.on('exit') are lost (all but the first), with the destination given to pino and behind pino.multistream: pino's exit hook already ended the sonic-boom destination",
    upstream: 'https://github.com/pinojs/pino/issues/1400',
  })),
  {
    adapter: 'pino-async',
    scenario: 'exit-after-logging',
    kinds: ['unhandled-error', 'exit-loss'],
    script: 'pino-async.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging: "sonic boom is not ready yet" thrown from the exit hook, every record lost',
    upstream: 'https://github.com/pinojs/pino/issues/2326',
  },
  // pino-async's multistream is the same loop (lib/multistream.js), so one script shows both.
  ...['pino-sync', 'pino-async'].map((adapter) => ({
    adapter,
    scenario: 'failing-sink',
    // The healthy sink's missing records are also the run's lost-records (a fact there).
    kinds: ['unhandled-error', 'isolation-breach', 'lost-records'] as const,
    script: 'pino-sync.failing-sink.cjs',
    shows: "a multistream destination that throws (a destroyed sonic-boom) throws out of the log call and the healthy destination misses those records",
    upstream: 'https://github.com/pinojs/pino/issues/1489',
  })),
  {
    adapter: 'pino-transport',
    scenario: 'failing-sink',
    kinds: ['isolation-breach', 'unhandled-error', 'crash', 'lost-records'],
    script: 'pino-transport.failing-sink.cjs',
    shows: "one of two pino/file targets writing to /dev/full (ENOSPC) ends the transport's worker: the healthy target misses 19 of 20 records",
    upstream: 'not reported upstream as of 2026-12-01 (pino lib/worker.js: targets share one worker and multistream; thread-stream lib/worker.js exits on the uncaught error)',
  },
  {
    adapter: 'pino-transport',
    scenario: 'slow-sink',
    kinds: ['unbounded-memory'],
    script: 'pino-transport.slow-sink.cjs',
    shows: "40 MB logged to a transport whose destination stopped draining: the logging thread's buffers grow 65 MB past the 4 MiB ring, and every log call returns normally",
    upstream: 'not reported upstream as of 2026-12-01 (thread-stream index.js: ThreadStream.write() queues past the ring; pino lib/proto.js drops its false return)',
  },
  ...['startup-burst', 'steady'].map((scenario) => ({
    adapter: 'pino-transport',
    scenario,
    kinds: ['torn-records'] as const,
    script: 'pino-transport.startup-burst.cjs',
    shows: "a record straddling the end of thread-stream's 4 MiB ring reaches pino's file destination as two write(2) calls, so another writer to the same file can land between its halves",
    upstream: "not reported upstream as of 2026-12-01 (thread-stream index.js write() splits at the ring's end; nearest: https://github.com/pinojs/sonic-boom/issues/96)",
  })),
  ...['stalled-sink', 'burst-overflow'].map((scenario) => ({
    adapter: 'pino-async',
    scenario,
    kinds: ['reordered-records'] as const,
    script: 'pino-async.stalled-sink.cjs',
    shows: "logger.fatal() calls flushSync(), which writes the buffered records past an asynchronous write still in flight: one thread's records reach the file out of order",
    upstream: 'https://github.com/pinojs/sonic-boom/issues/101',
  })),
  {
    adapter: 'pino-async',
    scenario: 'reopen-then-close',
    // The run's hang window may end before the close bound: then the stuck close is a `hang`.
    kinds: ['hang', 'exit-hang', 'lost-records'],
    script: 'sonic-boom.reopen-then-close.cjs',
    shows: "destination.reopen() with a write in flight, then end(): 'close' never comes and 19 of 20 records are never written (sonic-boom 4.2.1 and 5.0.2)",
    upstream: 'not reported upstream as of 2026-12-01 (sonic-boom: release() calls reopen(), which returns early once end() has set _ending)',
  },
  ...['steady', 'startup-burst'].map((scenario) => ({
    adapter: 'pino-tcp',
    scenario,
    kinds: ['lost-records', 'exit-loss'] as const,
    script: 'pino-tcp.steady.cjs',
    shows: "transport.end() then 'close' on a pino-socket (tcp) transport whose socket still holds written data: pino-socket destroys the socket and each logger's tail never reaches the server (4 000 to 10 500 of 30 000 records)",
    upstream: 'not reported upstream as of 2026-12-01 (pino-socket 8.0.0: write() calls back before the socket has sent; destroy() calls socket.destroy())',
  })),
  // winston#2219's end race over Http: every cell whose evidence is "write after end" at the
  // documented shutdown with the records logged just before it missing at the collector
  // (exit-hang: a scenario's own report of that shutdown failing; isolation-breach: failing-sink's
  // name for the same tail missing at the collector, which it shows with the second sink never
  // failing too).
  ...['http-collector', 'steady', 'graceful-exit', 'natural-exit-graceful', 'startup-burst', 'shutdown-handler', 'console-redirect', 'failing-sink', 'reentrant-sink'].map((scenario) => ({
    adapter: 'winston-http',
    scenario,
    kinds: ['unhandled-error', 'lost-records', 'exit-loss', 'exit-hang', 'isolation-breach'] as const,
    script: 'winston-http.http-collector.cjs',
    shows: 'logger.end() with records still in the logger\'s buffer behind the Http transport: "write after end", and 8 of 40 records never reach a collector that answers every request 200',
    upstream: 'https://github.com/winstonjs/winston/issues/2219',
  })),
  ...['winston-file', 'winston-stream', 'winston-rotating', 'winston-http'].map((adapter) => ({
    adapter,
    scenario: 'hostile-input',
    kinds: ['unhandled-error', 'crash'] as const,
    script: 'winston-file.hostile-input.cjs',
    shows: "format.json() overflows the stack on a 20 000-deep object (thrown at the caller), and a throwing getter logged while the logger's stream is backed up is formatted later and kills the process with an uncaughtException",
    upstream: 'no upstream thread found (logform json.js:28, winston logger.js:337)',
  })),
  ...['bunyan-file', 'bunyan-stream', 'bunyan-rotating'].map((adapter) => ({
    adapter,
    scenario: 'hostile-input',
    kinds: ['unhandled-error'] as const,
    script: 'bunyan-file.hostile-input.cjs',
    shows: "a BigInt field or a 20 000-deep object makes log.info() throw at the caller and the record is never written: bunyan's safe-json-stringify fallback throws too",
    upstream: 'https://github.com/trentm/node-bunyan/issues/662',
  })),
  {
    adapter: 'log4js-tcp',
    scenario: 'hostile-input',
    kinds: ['unhandled-error', 'crash'],
    script: 'log4js-tcp.hostile-input.cjs',
    shows: "a null-prototype field, buffered before the tcp appender's socket connects, throws in LoggingEvent.serialise() from the 'connect' callback: an uncaughtException kills the process",
    upstream: 'https://github.com/log4js-node/log4js-node/issues/1417',
  },
  // --- hp ---
  {
    adapter: 'pino-sync',
    scenario: 'blocking-sink',
    kinds: ['event-loop-stall', 'blocked-caller'],
    script: 'pino-sync.blocking-sink.cjs',
    shows: "documented behaviour (sync: true writes \"with a blocking operation\"): one logger.info() to a pipe whose reader stalls 1 s blocks the event loop for as long; a 10 ms timer fires about 1 s late",
    upstream: 'documented behaviour, not a bug: https://getpino.io/#/docs/asynchronous (sync: true is a blocking write; sync: false is the documented alternative)',
  },
  ...['pino-async', 'pino-multistream'].map((adapter) => ({
    adapter,
    scenario: 'stalled-sink',
    kinds: ['torn-records'] as const,
    script: 'pino-async.stalled-pipe-torn.cjs',
    shows: "logger.fatal()'s flushSync() writes while a 256 KiB record is still part-way into a stalled pipe: its bytes land inside that record (2 torn lines), with the destination alone and behind pino.multistream",
    upstream: 'https://github.com/pinojs/sonic-boom/issues/101',
  })),
  ...['stalled-sink', 'burst-overflow'].map((scenario) => ({
    adapter: 'pino-multistream',
    scenario,
    kinds: ['reordered-records'] as const,
    script: 'pino-async.stalled-sink.cjs',
    shows: "logger.fatal() calls flushSync() (through pino.multistream too), which writes the buffered records past an asynchronous write still in flight: one thread's records reach the file out of order",
    upstream: 'https://github.com/pinojs/sonic-boom/issues/101',
  })),
  {
    adapter: 'pino-multistream',
    scenario: 'exit-after-logging',
    kinds: ['unhandled-error', 'exit-loss'],
    script: 'pino-async.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging, the destination alone or behind pino.multistream: "sonic boom is not ready yet" thrown from the exit hook, every record lost',
    upstream: 'https://github.com/pinojs/pino/issues/2326',
  },
  ...['pino-async', 'pino-multistream'].map((adapter) => ({
    adapter,
    scenario: 'slow-sink',
    kinds: ['unbounded-memory'] as const,
    script: 'pino-async.slow-sink.cjs',
    shows: "documented buffering: 10 MB logged while the destination's pipe stalls stay in the heap (sonic-boom without maxLength), with no backpressure; all delivered once it drains",
    upstream: 'documented behaviour, not a bug: https://getpino.io/#/docs/asynchronous ("works by buffering"); https://github.com/pinojs/sonic-boom#readme (maxLength bounds the buffer by dropping)',
  })),
  {
    adapter: 'pino-tcp',
    scenario: 'graceful-exit',
    kinds: ['exit-loss'],
    script: 'pino-tcp.steady.cjs',
    shows: "the documented shutdown (transport.end(), then 'close') on a pino-socket transport whose socket still holds written data loses each logger's tail: pino-socket destroys the socket",
    upstream: 'not reported upstream as of 2026-12-01 (pino-socket 8.0.0: write() calls back before the socket has sent; destroy() calls socket.destroy())',
  },
  ...(['steady', 'startup-burst', 'natural-exit', 'exit-after-logging'] as const).map((scenario) => ({
    adapter: 'python-asyncio',
    scenario,
    kinds: scenario === 'steady' || scenario === 'startup-burst' ? (['lost-records'] as const) : (['exit-loss'] as const),
    script: 'python-asyncio.natural-exit.py',
    shows: "the asyncio logging recipe starts a QueueListener and never calls stop(): what is still queued when the program returns or calls sys.exit(0) is lost with the listener's daemon thread (about 9 000 of 10 000 records with its file on a pipe that is read only once the program ends)",
    upstream: 'in the recipe, not CPython: https://docs.python.org/3/library/logging.handlers.html#logging.handlers.QueueListener.stop (documented as needed before exit); recipe: https://www.zopatista.com/python/2019/05/11/asyncio-logging/',
  })),
  // --- hw ---
  // winston's end() races (File transport): every cell whose failing runs show "write after end", a
  // thread or process killed by it, or records missing after 'finish'.
  ...(
    [
      ['winston-file', 'steady', ['crash', 'unhandled-error', 'lost-records']],
      ['winston-file', 'graceful-exit', ['unhandled-error', 'exit-loss']],
      ['winston-file', 'natural-exit-graceful', ['unhandled-error', 'exit-loss']],
      ['winston-file', 'startup-burst', ['unhandled-error', 'lost-records']],
      ['winston-file', 'blocking-sink', ['unhandled-error', 'lost-records']],
      ['winston-file', 'torn-lines', ['unhandled-error', 'lost-records']],
      ['winston-file', 'slow-sink', ['unhandled-error', 'lost-records']],
      ['winston-file', 'stalled-sink', ['unhandled-error', 'lost-records']],
      // The same "write after end" and tail loss in the last regeneration (lead, after merge).
      ['winston-file', 'burst-overflow', ['unhandled-error', 'lost-records']],
      ['winston-file', 'reentrant-sink', ['unhandled-error', 'lost-records']],
      ['winston-rotating', 'graceful-exit', ['unhandled-error', 'exit-loss']],
      ['winston-rotating', 'natural-exit-graceful', ['unhandled-error', 'exit-loss']],
      ['winston-rotating', 'startup-burst', ['unhandled-error', 'lost-records']],
    ] as const
  ).map(([adapter, scenario, kinds]) => ({
    adapter,
    scenario,
    kinds,
    script: 'winston-file.graceful-exit.cjs',
    shows:
      "records logged at start-up or in a burst, then logger.end() and 'finish' as winston's README shows: \"write after end\" and 13 of 60 (9 of 120) records of 1 KB missing; 3 of 5 records of 21 KB missing with no error at all; the process dies of \"write after end\" without an 'error' listener, and with one for records of mixed sizes (emitted on the File transport's internal PassThrough)",
    upstream: 'https://github.com/winstonjs/winston/issues/2219, https://github.com/winstonjs/winston-transport/issues/49',
  })),
  ...['winston-stream', 'winston-file'].flatMap((adapter) =>
    ['slow-sink', 'stalled-sink'].map((scenario) => ({
      adapter,
      scenario,
      kinds: ['unbounded-memory'] as const,
      script: 'winston-stream.stalled-sink.cjs',
      shows:
        "12 MB logged while the destination is stalled: every log call returns at once and memory grows 67 MB (Stream transport, in its destination's buffer) and 17 MB (File transport, in the logger's buffer); every record arrives once it drains",
      upstream: "not reported upstream as of 2026-12-01 (winston lib/winston/logger.js log() drops write()'s return value; transports/stream.js log() drops its destination's)",
    })),
  ),  {
    adapter: 'winston-stream',
    scenario: 'torn-lines',
    kinds: ['torn-records'],
    script: 'winston-stream.torn-lines.cjs',
    shows: 'two processes logging 15 KB records through winston Stream transports to one named pipe: about 1 line in 5 reaches the reader torn (records spliced or cut), as POSIX allows for writes above PIPE_BUF',
    upstream: 'not reported upstream as of 2026-12-01 (POSIX pipe writes are atomic only up to PIPE_BUF; the bug class: https://github.com/apache/httpd/pull/49)',
  },  // A fact (exit-after-logging reports exit loss as a fact): no end(), so nothing waits for the writes.
  ...['winston-file', 'winston-rotating', 'winston-stream', 'winston-http'].map((adapter) => ({
    adapter,
    scenario: 'exit-after-logging',
    kinds: ['exit-loss'] as const,
    script: 'winston.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging, with no logger.end(): 99 of 100 records lost with File (with or without maxsize) and Stream, 100 of 100 with Http',
    upstream: 'https://github.com/winstonjs/winston/issues/228',
  })),  // The rotating cell's losses in the middle of the file (one run of records at each rotation) have a cause of
  // their own; its tail loss and "write after end" are the end race above.
  {
    adapter: 'winston-rotating',
    scenario: 'startup-burst',
    kinds: ['lost-records'],
    script: 'winston-rotating.startup-burst.cjs',
    shows: "a burst of 3 000 records of 700 bytes through File with maxsize 1 MiB: 24 records vanish at each of the two rotations, with no error and 'finish' emitted",
    upstream: 'https://github.com/winstonjs/winston/issues/1655',
  },
  // --- hb ---
  ...['bunyan-file', 'bunyan-stream'].flatMap((adapter) =>
    ['slow-sink', 'stalled-sink'].map((scenario) => ({
      adapter,
      scenario,
      kinds: ['unbounded-memory'] as const,
      script: 'bunyan-file.slow-sink.cjs',
      shows: "8 MB logged to a named pipe whose reader paused: bunyan ignores write()'s false return and the whole backlog waits in the file stream's buffer (resident memory grows about twice the backlog), for { path } and { stream } alike",
      upstream: 'not reported upstream as of 2026-12-01 (bunyan lib/bunyan.js:921 drops write()\'s return; nearest: https://github.com/trentm/node-bunyan/issues/533)',
    })),
  ),
  ...['pino-sync', 'pino-transport', 'pino-multistream', 'pino-pipeline'].map((adapter) => ({
    adapter,
    scenario: 'torn-lines',
    kinds: ['torn-records'] as const,
    script: 'pino-sync.torn-lines.cjs',
    shows: 'two processes log 16 KiB records to one named pipe whose reader lags: records larger than PIPE_BUF interleave, most lines hold two records (pino.destination({ sync: true }), an asynchronous destination behind pino.multistream, and the pino/file transport, alone or at the end of a pipeline)',
    upstream: 'POSIX behaviour, not a pino bug as such: writes above PIPE_BUF to a pipe are not atomic (https://pubs.opengroup.org/onlinepubs/9699919799/functions/write.html)',
  })),
  ...['bunyan-file', 'bunyan-stream'].map((adapter) => ({
    adapter,
    scenario: 'torn-lines',
    kinds: ['torn-records'] as const,
    script: 'bunyan-file.torn-lines.cjs',
    shows: 'two processes log 16 KiB records to one named pipe whose reader lags: records larger than PIPE_BUF interleave, most lines hold two records ({ path } and { stream })',
    upstream: 'POSIX behaviour, not a bunyan bug as such: writes above PIPE_BUF to a pipe are not atomic (https://pubs.opengroup.org/onlinepubs/9699919799/functions/write.html)',
  })),
  {
    adapter: 'log4js-tcp',
    scenario: 'tcp-collector',
    kinds: ['unhandled-error', 'lost-records'],
    script: 'log4js-tcp.tcp-collector.cjs',
    shows: 'while the collector refuses connections the tcp appender writes its buffered events into the socket that just failed: all 100 are lost though it reconnects and delivers later ones; log4js.shutdown() after a refused attempt fails with "Cannot call end after a stream was destroyed"',
    upstream: "not reported upstream as of 2026-12-01 (log4js lib/appenders/tcp.js: the 'error' handler calls emptyBuffer(); shutdown() calls end() on a destroyed socket)",
  },
  ...['bunyan-file', 'bunyan-stream', 'bunyan-rotating'].map((adapter) => ({
    adapter,
    scenario: 'exit-after-logging',
    kinds: ['exit-loss'] as const,
    script: 'bunyan-file.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging: every record is lost with { path }, { stream } and rotating-file streams (bunyan has no flush and no exit hook)',
    upstream: 'https://github.com/trentm/node-bunyan/issues/37',
  })),
  ...['log4js-file', 'log4js-rotating', 'log4js-tcp'].map((adapter) => ({
    adapter,
    scenario: 'exit-after-logging',
    kinds: ['exit-loss'] as const,
    script: 'log4js-file.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging, without log4js.shutdown(): every event is lost with the file appender (with and without maxLogSize) and the tcp appender',
    upstream: 'documented: call log4js.shutdown(cb) before exiting (https://log4js-node.github.io/log4js-node/api.html)',
  })),
  ...['slow-sink', 'stalled-sink'].map((scenario) => ({
    adapter: 'log4js-file',
    scenario,
    kinds: ['unbounded-memory'] as const,
    script: 'log4js-file.slow-sink.cjs',
    shows: "14 MB logged to a named pipe whose reader paused: the file appender queues every event in memory; it emits 'log4js:pause' once and the log calls go on queueing",
    upstream: 'documented: https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage',
  })),
  // --- lead (after the last regeneration) ---
  {
    adapter: 'log4js-file',
    scenario: 'torn-lines',
    kinds: ['torn-records'],
    script: 'log4js-file.torn-lines.cjs',
    shows: "two processes log 16 KiB events through log4js's file appender to one named pipe whose reader lags: records larger than PIPE_BUF interleave",
    upstream: 'POSIX behaviour, not a log4js bug as such: writes above PIPE_BUF to a pipe are not atomic (https://pubs.opengroup.org/onlinepubs/9699919799/functions/write.html)',
  },
  {
    adapter: 'bunyan-rotating',
    scenario: 'shutdown-handler',
    kinds: ['exit-loss', 'lost-records'],
    script: 'bunyan-rotating.shutdown-handler.cjs',
    shows: "records logged while a 'rotating-file' stream rotates wait in its rotQueue; ending the stream then ends only the old file stream, and an exit loses them (10 of 10)",
    upstream: 'not reported for rotation as of 2026-12-01 (bunyan lib/bunyan.js RotatingFileStream.rotate(): "XXX What about shutdown?"); nearest: https://github.com/trentm/node-bunyan/issues/37',
  },
  // --- hrc ---
  {
    adapter: 'winston-stream',
    scenario: 'recovering-sink',
    // The shutdown never finishing shows as the watchdog's hang (or exit-hang at the close bound).
    kinds: ['lost-records', 'hang', 'exit-hang', 'unhandled-error'],
    script: 'winston-stream.recovering-sink.cjs',
    shows: "a Stream transport whose destination throws out of write() once never writes to it again (97 of 97 later records missing) and logger.end() never emits 'finish'",
    upstream: 'not reported upstream as of 2026-12-01 (winston lib/winston/transports/stream.js log(): the callback is skipped when the write throws; class: https://github.com/winstonjs/winston/issues/1364)',
  },
  {
    adapter: 'pino-sync',
    scenario: 'recovering-sink',
    kinds: ['unhandled-error'],
    script: 'pino-sync.recovering-sink.cjs',
    shows: "the only destination throwing out of write() once throws out of the log call into the application; later records arrive",
    upstream: 'https://github.com/pinojs/pino/issues/1489',
  },
  {
    adapter: 'bunyan-stream',
    scenario: 'recovering-sink',
    kinds: ['unhandled-error'],
    script: 'bunyan-stream.recovering-sink.cjs',
    shows: "the only stream throwing out of write() once throws out of the log call into the application; later records arrive",
    upstream: 'not reported upstream as of 2026-12-01 (bunyan lib/bunyan.js Logger.prototype._emit: s.stream.write() without try/catch)',
  },
  // --- hpl ---
  // pino-pipeline (a transport pipeline with an async transform in the worker): the same causes
  // as pino-transport's, in front of the worker. Each script was run changed to a pipeline (an
  // async pino-abstract-transport transform, then the same target) and showed the same symptom.
  {
    adapter: 'pino-pipeline',
    scenario: 'exit-listener',
    kinds: ['exit-loss'],
    script: 'pino-transport.exit-listener.cjs',
    shows: "every record logged from process.on('exit') after process.exit() is lost: pino's exit hook already ended the transport, whatever its worker runs (5 of 5 with a pipeline too)",
    upstream: 'https://github.com/pinojs/pino/issues/1400',
  },
  {
    adapter: 'pino-pipeline',
    scenario: 'slow-sink',
    kinds: ['unbounded-memory'],
    script: 'pino-transport.slow-sink.cjs',
    shows: "40 MB logged to a transport whose destination stopped draining: the logging thread's buffers grow 65 MB past the 4 MiB ring (the same with a pipeline in the worker), and every log call returns normally",
    upstream: 'not reported upstream as of 2026-12-01 (thread-stream index.js: ThreadStream.write() queues past the ring; pino lib/proto.js drops its false return)',
  },
  {
    adapter: 'pino-pipeline',
    scenario: 'graceful-exit',
    kinds: ['event-loop-stall'],
    script: 'pino-pipeline.graceful-exit.cjs',
    shows: "transport.end() blocks the event loop while the pipeline's async transform drains: 1 000 records behind a 2 ms lookup stand the loop still about 2.5 s (pino/file alone: 11 ms); past 10 s end() kills the worker and loses the rest",
    upstream: "not reported upstream as of 2026-12-01 (thread-stream index.js end(): Atomics.wait until the worker's destination closes, 10 s at most)",
  },
  // --- hsh ---
  // The HTTP shippers beside winston's Http transport: pino-loki and log4js's logstash-http appender.
  ...['steady', 'startup-burst'].map((scenario) => ({
    adapter: 'pino-loki',
    scenario,
    kinds: ['lost-records'] as const,
    script: 'pino-loki.steady.cjs',
    shows: "10 500 records between two sends with batching at its default cap: the oldest 500 are dropped from pino-loki's full buffer (maxBufferSize 10 000), with nothing to count them",
    upstream: 'documented in pino-loki\'s README ("Dropped logs": buffer overflow drops the oldest); no drop count requested upstream as of 2026-12-01',
  })),
  {
    adapter: 'pino-loki',
    scenario: 'http-collector',
    kinds: ['lost-records'],
    script: 'pino-loki.http-collector.cjs',
    shows: 'a push answered 503 loses its whole batch (100 of 100 records), printed with console.error, never retried or counted; the next round arrives',
    upstream: 'documented in pino-loki\'s README ("Dropped logs": "If Loki is unreachable, logs in the current batch will be lost"); no retry or drop count requested upstream as of 2026-12-01',
  },
  {
    adapter: 'log4js-http',
    scenario: 'http-collector',
    kinds: ['lost-records'],
    script: 'log4js-http.http-collector.cjs',
    shows: 'each event whose request is answered 503 is lost (5 of 40), printed with console.error, never retried or counted; later events arrive',
    upstream: 'not reported upstream as of 2026-12-01 (@log4js-node/logstash-http lib/index.js: the .catch of sender.post only calls console.error)',
  },
  {
    adapter: 'log4js-http',
    scenario: 'natural-exit-graceful',
    kinds: ['event-loop-stall'],
    script: 'log4js-http.natural-exit-graceful.cjs',
    shows: "2 121 events held the caller's thread about a second inside log calls through logstash-http, some twenty times the same calls through log4js's file appender, side by side in one process: one HTTP request built per event, nothing batched",
    upstream: 'not reported upstream as of 2026-12-01 (log4js-node/logstashHTTP lib/index.js: one sender.post per event)',
  },
  ...['hostile-input', 'below-level-flood', 'console-redirect'].map((scenario) => ({
    adapter: 'log4js-http',
    scenario,
    kinds: ['lost-records'] as const,
    script: 'log4js-http.shutdown.cjs',
    shows: "log4js.shutdown() calls back before the logstash-http appender has sent anything: an application exiting in its callback loses 20 of 20 events against a service that answers 200 at once",
    upstream: 'not reported upstream as of 2026-12-01 (@log4js-node/logstash-http has no shutdown function; log4js lib/log4js.js shutdown() then calls back at once)',
  })),
  {
    adapter: 'pino-loki',
    scenario: 'failing-sink',
    kinds: ['isolation-breach', 'unhandled-error', 'crash', 'lost-records', 'hang'],
    script: 'pino-transport.failing-sink.cjs',
    shows: "one of two targets of a pino.transport failing (pino/file on /dev/full) ends the worker they share: the healthy target misses 19 of 20 records (pino-loki as the healthy target never sends its batch)",
    upstream: 'not reported upstream as of 2026-12-01 (pino lib/worker.js: targets share one worker and multistream; thread-stream lib/worker.js exits on the uncaught error)',
  },
];

/** The package's `repro/` folder (the same from the sources and from dist/). */
export function reproRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'logjam') return join(dir, 'repro');
    const up = dirname(dir);
    if (up === dir) throw new Error(`could not find logjam's package folder above ${fileURLToPath(import.meta.url)}: this is a harness bug`);
    dir = up;
  }
}

export interface MatchedReproduction {
  readonly reproduction: Reproduction;
  /** Runs of the report that show it (failing, or reporting it as a fact). */
  readonly runs: number;
}

/** How a script is run: Python scripts with python3, the rest with node. */
export function scriptCommand(script: string, folder: string): string {
  return `${script.endsWith('.py') ? 'python3' : 'node'} ${folder}/${script}`;
}

function shows(run: Pick<Report['runs'][number], 'findings'>, kinds: readonly FindingKind[]): boolean {
  // A finding reported as information (a collector's exit loss, a skipped judgement) is not
  // in FINDINGS.md's list, so it needs no script; a failure or a fact does.
  return run.findings.some((f) => kinds.includes(f.kind) && f.severity !== 'info');
}

/** The reproductions whose adapter, scenario and one of whose kinds a run of the report shows. */
export function reproductionsFor(report: Pick<Report, 'runs'>): MatchedReproduction[] {
  const out: MatchedReproduction[] = [];
  for (const reproduction of REPRODUCTIONS) {
    const runs = report.runs.filter((r) => r.adapter === reproduction.adapter && r.scenario === reproduction.scenario && shows(r, reproduction.kinds)).length;
    if (runs > 0) out.push({ reproduction, runs });
  }
  return out;
}

/** The script that shows `kind` in `adapter` × `scenario` with the logger alone, as a command. */
export function standaloneFor(adapter: string, scenario: string, kind: FindingKind, folder: string): string | undefined {
  const r = REPRODUCTIONS.find((x) => x.adapter === adapter && x.scenario === scenario && x.kinds.includes(kind));
  return r === undefined ? undefined : scriptCommand(r.script, folder);
}

/** The Markdown section FINDINGS.md ends with: one script per matched finding, and how to run it. */
export function reproMarkdown(matched: readonly MatchedReproduction[], folder: string): string {
  if (matched.length === 0) return '';
  const lines = [
    '',
    '## Standalone reproductions',
    '',
    'Each script uses the logger alone (no logjam), prints `SYMPTOM: ...` and exits 1 while the bug is there (0 once it is fixed). Run it from a project where the logger is installed.',
    '',
    '| adapter × scenario | runs showing it | script | shows | upstream |',
    '|---|---|---|---|---|',
    ...matched.map(({ reproduction: r, runs }) => `| \`${r.adapter}\` × \`${r.scenario}\` | ${runs} | \`${scriptCommand(r.script, folder)}\` | ${r.shows} | ${r.upstream} |`),
    '',
  ];
  return lines.join('\n');
}
