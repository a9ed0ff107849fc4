/**
 * Known upstream issues a finding can match, for FINDINGS.md. Each rule names the adapters,
 * scenarios and finding kinds (and, where it matters, the message) of one known bug class and
 * the threads that discuss it. A finding no rule matches is reported as "seems new", with its
 * minimal reproduction.
 *
 * Found with the issue index (searches like "winston write after end logger.end()"); the
 * notes say how close each match is, since a link is a claim a reader will act on.
 */

import type { Finding } from '../harness/contract/result.js';

export interface UpstreamLink {
  readonly url: string;
  readonly title: string;
}

export interface UpstreamRule {
  readonly adapters: RegExp;
  readonly scenarios: RegExp;
  readonly kinds: readonly Finding['kind'][];
  /** When set, the finding's message must match too. */
  readonly message?: RegExp;
  /** When set, the finding's evidence (as JSON) must match too. */
  readonly evidence?: RegExp;
  /** When set, the run's parameters (as JSON) must match too. */
  readonly params?: RegExp;
  /** How the finding relates to the links: the same bug, the same class, or documented behaviour. */
  readonly note: string;
  /**
   * The triage of a failing cell (issue 13): a defect or limit confirmed in the logger (with the
   * upstream thread, if there is one), a documented trade-off of this configuration (a fact, not
   * a failure of the logger), the outcome the scenario provokes on purpose, or a defect or limit
   * confirmed in the logger's source that no upstream thread reports (new).
   */
  readonly triage: 'confirmed' | 'trade-off' | 'expected' | 'new';
  readonly links: readonly UpstreamLink[];
}

export const UPSTREAM_RULES: readonly UpstreamRule[] = [
  {
    adapters: /^pino-(async|transport)$/,
    scenarios: /^exit-listener$/,
    kinds: ['exit-loss', 'unhandled-error'],
    triage: 'confirmed',
    note: "the same bug: pino's own exit hook (on-exit-leak-free) ends the destination before the application's later 'exit' listener logs; with thread-stream before 2.0.0 (pino before 8.2.0) the log call threw 'the worker has exited' instead (logjam bisect finds pino 8.2.0)",
    links: [
      { url: 'https://github.com/pinojs/pino/issues/1400', title: 'pinojs/pino#1400 "Logging inside process exit event?" (open)' },
      { url: 'https://github.com/pinojs/thread-stream/pull/94', title: 'pinojs/thread-stream#94 "Emit errors instead of throwing errors" (thread-stream 2.0.0)' },
    ],
  },
  {
    adapters: /^pino-(async|multistream)$/,
    scenarios: /.*/,
    kinds: ['unhandled-error'],
    message: /sonic boom is not ready yet/,
    triage: 'confirmed',
    note: 'the same bug: pino\'s exit hook calls flushSync() on a destination that has not opened its file yet',
    links: [{ url: 'https://github.com/pinojs/pino/issues/2326', title: 'pinojs/pino#2326 "sonic boom is not ready yet" (cited by logjam\'s exit-after-logging scenario)' }],
  },
  {
    // pino's fatal() (lib/levels.js) calls stream.flushSync(); sonic-boom's flushSync() leaves
    // the write in flight (_writingBuf while _writing) out and writes the later records at once.
    adapters: /^pino-(async|multistream)$/,
    // Only the scenarios that log FATAL records (their level mixes): slow-sink logs INFO alone.
    scenarios: /^(stalled-sink|burst-overflow)$/,
    kinds: ['reordered-records'],
    triage: 'confirmed',
    note: "the same bug: logger.fatal() calls the destination's flushSync(), which writes what is buffered without waiting for the asynchronous write in flight, so the records after it reach the file first (repro/pino-async.stalled-sink.cjs, deterministic with one libuv thread kept busy)",
    links: [{ url: 'https://github.com/pinojs/sonic-boom/issues/101', title: "pinojs/sonic-boom#101 flushSync doesn't wait for pending async writes to finish (closed)" }],
  },
  {
    // Checked in sonic-boom's index.js (4.2.1 and 5.0.2) and reproduced with pino alone; no
    // upstream thread found (searched: "sonic-boom end after reopen", "reopen _ending close").
    adapters: /^pino-(async|multistream)$/,
    scenarios: /^reopen-then-close$/,
    kinds: ['hang', 'exit-hang', 'lost-records'],
    triage: 'new',
    note: "a new defect in sonic-boom: reopen() while a write is in flight only sets _reopening; end() then only sets _ending; when the write completes, release() calls reopen(), which returns early because _ending is set, so nothing buffered is written and 'close' never comes (repro/sonic-boom.reopen-then-close.cjs: 19 of 20 records lost, 'close' never emitted)",
    links: [{ url: 'https://github.com/pinojs/sonic-boom/blob/master/index.js', title: 'pinojs/sonic-boom index.js: SonicBoom.prototype.reopen, end, release (no upstream thread found)' }],
  },
  {
    adapters: /^pino-(async|multistream)$/,
    scenarios: /^exit-after-logging$/,
    kinds: ['exit-loss'],
    triage: 'confirmed',
    note: 'the same class: records buffered by an asynchronous destination are lost at process.exit()',
    links: [{ url: 'https://github.com/pinojs/pino/issues/1705', title: 'pinojs/pino#1705 Logs are not flushed, missing log entries after process.exit()' }],
  },
  {
    adapters: /^winston-(file|rotating)$/,
    // The scenarios where the regenerated matrix showed the loss beside "write after end".
    scenarios: /^(graceful-exit|natural-exit-graceful|startup-burst|natural-exit|steady|existing-sink|failing-sink|blocking-sink|slow-sink|stalled-sink|burst-overflow)$/,
    kinds: ['exit-hang', 'exit-loss', 'lost-records'],
    triage: 'confirmed',
    note: 'the same bug: logger.end() ends the transports while records are still in the logger\'s buffer; the writes that follow fail with "write after end" and are lost',
    links: [
      { url: 'https://github.com/winstonjs/winston/issues/2219', title: 'winstonjs/winston#2219 Write after end node error with winston logger (open)' },
      { url: 'https://github.com/winstonjs/winston/pull/2599', title: 'winstonjs/winston#2599 fix(logger): prevent "write after end" error during shutdown (open PR)' },
      { url: 'https://github.com/winstonjs/winston/pull/2594', title: 'winstonjs/winston#2594 ensure File transport flushes all data before emitting finish (fixes #1504)' },
    ],
  },
  {
    // The same end() race seen from the application: the shutdown (or a producer's own
    // logger.end()) rejects with "write after end", or the error reaches a thread unhandled.
    adapters: /^winston-(file|rotating|stream)$/,
    scenarios: /.*/,
    kinds: ['unhandled-error', 'crash'],
    message: /write after end/,
    triage: 'confirmed',
    note: 'the same bug: logger.end() ends the transports while records are still in the logger\'s buffer; the writes that follow fail with "write after end"',
    links: [
      { url: 'https://github.com/winstonjs/winston/issues/2219', title: 'winstonjs/winston#2219 Write after end node error with winston logger (open)' },
      { url: 'https://github.com/winstonjs/winston/pull/2599', title: 'winstonjs/winston#2599 fix(logger): prevent "write after end" error during shutdown (open PR)' },
    ],
  },
  {
    // The Http transport calls back on the next tick for every record, so the logger's buffer
    // backs up behind it and end() meets records still there in every scenario that closes.
    adapters: /^winston-http$/,
    scenarios: /.*/,
    kinds: ['unhandled-error', 'lost-records', 'exit-loss'],
    message: /write after end|records were lost/,
    triage: 'confirmed',
    note: 'the same bug: logger.end() ends the Http transport while records are still in the logger\'s buffer; they fail with "write after end" and never reach the collector (repro/winston-http.http-collector.cjs: 8 of 40 records lost against a collector that answers 200)',
    links: [
      { url: 'https://github.com/winstonjs/winston/issues/2219', title: 'winstonjs/winston#2219 Write after end node error with winston logger (open)' },
      { url: 'https://github.com/winstonjs/winston/pull/2599', title: 'winstonjs/winston#2599 fix(logger): prevent "write after end" error during shutdown (open PR)' },
    ],
  },
  {
    adapters: /^winston-/,
    scenarios: /^exit-after-logging$/,
    kinds: ['exit-loss'],
    triage: 'confirmed',
    note: 'the same bug class, open since 2013: the File transport writes asynchronously, so process.exit() loses what is pending',
    links: [{ url: 'https://github.com/winstonjs/winston/issues/228', title: 'winstonjs/winston#228 Logging to file fails when calling process.exit(0)' }],
  },
  {
    adapters: /^bunyan-/,
    scenarios: /^exit-after-logging$/,
    kinds: ['exit-loss'],
    triage: 'confirmed',
    note: 'the same class: bunyan has no flush; a file stream\'s pending writes are lost at process.exit()',
    links: [
      { url: 'https://github.com/trentm/node-bunyan/issues/37', title: 'trentm/node-bunyan#37 Ensuring writable stream is flushed on exception' },
      { url: 'https://github.com/trentm/node-bunyan/issues/186', title: 'trentm/node-bunyan#186 Event emitter for log stream complete' },
    ],
  },
  {
    // lib/bunyan.js, RotatingFileStream: rotate() ends the current file stream and queues what
    // is written meanwhile (rotQueue), then opens a new stream for it; end() ends only the
    // stream current at that moment ("// XXX What about shutdown?" heads rotate()).
    adapters: /^bunyan-rotating$/,
    scenarios: /^(shutdown-handler|exit-listener|graceful-exit|natural-exit|natural-exit-graceful)$/,
    kinds: ['exit-loss'],
    triage: 'confirmed',
    note: "the same class, confirmed in bunyan's source: records logged while a rotation is in progress wait in RotatingFileStream's rotQueue and go to a new file stream opened when the rotation finishes; ending the stream during a rotation ends only the old one, and bunyan has no flush or close to wait for the new one, so an exit then loses them (rotate() is headed \"XXX What about shutdown?\")",
    links: [
      { url: 'https://github.com/trentm/node-bunyan/issues/37', title: 'trentm/node-bunyan#37 Ensuring writable stream is flushed on exception' },
      { url: 'https://github.com/trentm/node-bunyan/issues/186', title: 'trentm/node-bunyan#186 Event emitter for log stream complete' },
    ],
  },
  {
    // lib/appenders/tcp.js: log.shutdown(cb) retries three times, 100 ms apart, while its
    // buffer (events held while the socket could not take them) has items, then socket.end(cb).
    adapters: /^log4js-tcp$/,
    scenarios: /^(graceful-exit|natural-exit-graceful|startup-burst|steady|shutdown-handler)$/,
    kinds: ['exit-loss', 'lost-records'],
    triage: 'new',
    note: "confirmed in log4js's source: the TCP appender's shutdown waits at most 3 × 100 ms for the events it buffered while the socket could not take them (canWrite false, waiting for 'drain'), then ends the socket and calls back; what is still buffered is never written. A slow or loaded collector hits that bound, so the loss comes and goes with the load (a rate)",
    links: [{ url: 'https://github.com/log4js-node/log4js-node/blob/master/lib/appenders/tcp.js', title: 'log4js lib/appenders/tcp.js: shutdownAttempts = 3, 100 ms apart, then socket.end(cb)' }],
  },
  {
    adapters: /^log4js-/,
    scenarios: /^exit-after-logging$/,
    kinds: ['exit-loss'],
    triage: 'trade-off',
    note: 'documented behaviour: log4js asks applications to call log4js.shutdown(cb) before exiting',
    links: [{ url: 'https://log4js-node.github.io/log4js-node/api.html', title: 'log4js API: shutdown(cb)' }],
  },
  {
    adapters: /^pino-(transport|async|multistream)$/,
    scenarios: /.*/,
    kinds: ['torn-records'],
    evidence: /U\+FFFD/,
    triage: 'confirmed',
    note: 'the same class: multi-byte UTF-8 characters split where a buffer wraps or a write is chunked',
    links: [
      { url: 'https://github.com/pinojs/thread-stream/pull/217', title: 'pinojs/thread-stream#217 fix: handle multibyte writes across buffer boundaries (closes #215)' },
      { url: 'https://github.com/pinojs/sonic-boom/issues/139', title: 'pinojs/sonic-boom#139 message missing when writing a CJK string' },
    ],
  },
  {
    adapters: /^bunyan-(file|stream|rotating)$/,
    scenarios: /^(slow-sink|stalled-sink)$/,
    kinds: ['unbounded-memory'],
    triage: 'new',
    note: "confirmed in bunyan's source, not documented: Logger._emit calls each stream's write() and ignores what it returns (lib/bunyan.js, `s.stream.write(s.raw ? rec : str)`; RotatingFileStream.write passes it through), and a log call returns nothing, so an application cannot see backpressure; every record waits in the file stream's Writable buffer, which grows with the backlog. Every record is delivered in the end. bunyan's README says nothing of buffering or backpressure; the nearest thread is a report of memory growth while logging in a tight loop, not diagnosed there",
    links: [{ url: 'https://github.com/trentm/node-bunyan/issues/533', title: 'trentm/node-bunyan#533 Excessive memory consumption in a tight loop (open; related, not diagnosed)' }],
  },
  {
    // lib/winston/logger.js: log() and the level methods call this.write(...) and return this;
    // write()'s false (the stream's buffer past its highWaterMark) never reaches the caller.
    adapters: /^winston-(file|stream|rotating)$/,
    scenarios: /^(slow-sink|stalled-sink)$/,
    kinds: ['unbounded-memory'],
    triage: 'new',
    note: "confirmed in winston's source, not documented: logger.log() and the level methods call the logger stream's write() and return the logger (lib/winston/logger.js), so write()'s false never reaches the application; every record waits in the logger's and the transports' stream buffers, which grow with the backlog of a slow destination. Every record is delivered in the end. winston's README says nothing of backpressure or buffering",
    links: [{ url: 'https://github.com/winstonjs/winston/blob/master/lib/winston/logger.js', title: 'winston lib/winston/logger.js: log() returns this after this.write(info)' }],
  },
  {
    adapters: /^log4js-(file|rotating)$/,
    scenarios: /^(slow-sink|stalled-sink)$/,
    kinds: ['unbounded-memory'],
    triage: 'trade-off',
    note: "documented behaviour: log4js's file appenders buffer what the file cannot take yet and emit 'log4js:pause' (true when write() returns false, false on 'drain'); an application that minds the memory stops logging until it is false again. Every record is delivered in the end; the adapters declare overflow 'grow' for it. Before log4js 6.1.0 (the pause event, #938) there was no signal at all (#620)",
    links: [
      { url: 'https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage', title: 'log4js docs: Memory usage ("listen for log4js:pause events emitted by the file appenders")' },
      { url: 'https://github.com/log4js-node/log4js-node/pull/938', title: 'log4js-node/log4js-node#938 Add pause event to file appender' },
      { url: 'https://github.com/log4js-node/log4js-node/issues/620', title: "log4js-node/log4js-node#620 Memory leak when file appender can't write (closed)" },
    ],
  },
  {
    adapters: /.*/,
    scenarios: /^crash-mid-write$/,
    kinds: ['exit-loss'],
    triage: 'expected',
    note: 'expected by the scenario, reported as a fact: the process (or the logger\'s own thread) is crashed on purpose, and the count is what this logger had not yet written when it died',
    links: [],
  },
  {
    // hostile-input: the record's own fields break winston's json format. The throw reaches the
    // caller when the record is formatted inside log(); a record buffered behind a slow transport
    // is formatted later from the stream's read, so the same throw is an uncaughtException, and
    // the process dies of it (the `crash` in closing is that death, not the harness's).
    adapters: /^winston-/,
    scenarios: /^hostile-input$/,
    kinds: ['unhandled-error', 'crash'],
    triage: 'new',
    note:
      "the logger's own failure, checked in its source: logform's json format (logform 2.7.0 json.js:28) calls safe-stable-stringify with its default maximumDepth (Infinity; logform documents only replacer and space), so a 20 000-deep object overflows the stack, and a throwing getter, toJSON or Proxy throws out of it; winston's Logger._transform (winston 3.19.0 lib/winston/logger.js:337) re-throws format errors by design, so a record formatted from a later stream read kills the process (repro/winston-file.hostile-input.cjs); pino survives the same input because it catches JSON.stringify's throw and falls back to safe-stable-stringify with depthLimit 5 (pino lib/tools.js stringify())",
    links: [],
  },
  {
    adapters: /^bunyan-/,
    scenarios: /^hostile-input$/,
    kinds: ['unhandled-error'],
    message: /BigInt/,
    triage: 'confirmed',
    note: "the same bug: bunyan's fastAndSafeJsonStringify (bunyan 2.0.5 lib/bunyan.js:1218) falls back to safe-json-stringify, whose final JSON.stringify throws on a BigInt; log.info() throws at the caller and the record is not written (repro/bunyan-file.hostile-input.cjs)",
    links: [
      { url: 'https://github.com/trentm/node-bunyan/issues/662', title: 'trentm/node-bunyan#662 Stringify BigInts (open)' },
      { url: 'https://github.com/debitoor/safe-json-stringify/pull/12', title: 'debitoor/safe-json-stringify#12 Stringify BigInts (open PR)' },
    ],
  },
  {
    adapters: /^bunyan-/,
    scenarios: /^hostile-input$/,
    kinds: ['unhandled-error'],
    triage: 'new',
    note: "the logger's own failure, checked in its source: bunyan's fallback serialiser safe-json-stringify (1.2.0 index.js:49) recurses once per level, so a 20 000-deep object overflows the stack there (and a Proxy whose traps throw throws out of it); bunyan (lib/bunyan.js:1210-1230) does not catch the fallback's own throw, so log.info() throws at the caller and the record is not written (repro/bunyan-file.hostile-input.cjs)",
    links: [],
  },
  {
    adapters: /^log4js-tcp$/,
    scenarios: /^hostile-input$/,
    kinds: ['unhandled-error', 'crash'],
    triage: 'confirmed',
    note: "the same error from the same code: LoggingEvent.serialise()'s replacer calls SerDe.canSerialise(value), which evaluates `value in this.serMap` (log4js 6.9.1 lib/LoggingEvent.js:25) and so converts every non-string value to a property key: a null-prototype object or an array holding a Symbol throws; events buffered before the socket connects are serialised in its 'connect' callback (lib/appenders/tcp.js:13-20), so the throw is an uncaughtException that kills the process (repro/log4js-tcp.hostile-input.cjs)",
    links: [{ url: 'https://github.com/log4js-node/log4js-node/issues/1417', title: 'log4js-node/log4js-node#1417 "TypeError: Cannot convert object to primitive value" in cluster mode (closed)' }],
  },
  {
    adapters: /.*/,
    scenarios: /^torn-lines$/,
    params: /"sink":"pipe"/,
    kinds: ['torn-records', 'lost-records'],
    triage: 'trade-off',
    note: 'POSIX behaviour, not a logger bug as such: a write of more than PIPE_BUF (4 096) bytes to a pipe may be interleaved with other writers\' data, so records above that size from several writers tear unless the logger serialises them; the lost records are the ones torn',
    links: [{ url: 'https://pubs.opengroup.org/onlinepubs/9699919799/functions/write.html', title: 'POSIX write(): atomicity of pipe writes up to PIPE_BUF' }],
  },
  {
    adapters: /^python-asyncio$/,
    scenarios: /.*/,
    kinds: ['lost-records', 'exit-loss'],
    triage: 'confirmed',
    note:
      "in the recipe, not in CPython: it starts a QueueListener and never calls stop(), which the standard library documents as needed before the application exits (\"there may be some records still left on the queue, which won't be processed\"); the listener's thread is a daemon (QueueListener.start), so what is still queued when the interpreter ends is lost, and logging.shutdown() at exit flushes the file handler but never drains the queue",
    links: [{ url: 'https://docs.python.org/3/library/logging.handlers.html#logging.handlers.QueueListener.stop', title: 'Python docs: logging.handlers.QueueListener.stop()' }],
  },
];

/** The first rule matching a finding of this adapter and scenario, if any. */
export function upstreamFor(adapter: string, scenario: string, finding: Finding, params?: unknown): UpstreamRule | undefined {
  return UPSTREAM_RULES.find(
    (r) =>
      (r.params === undefined || r.params.test(JSON.stringify(params ?? null))) && r.adapters.test(adapter) && r.scenarios.test(scenario) && r.kinds.includes(finding.kind) && (r.message === undefined || r.message.test(finding.message)) &&
      (r.evidence === undefined || r.evidence.test(JSON.stringify(finding.evidence))),
  );
}
