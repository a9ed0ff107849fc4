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

/** winston's end race (logger.end() with records still buffered: "write after end"), cited by several rules. */
const WINSTON_END_RACE: readonly UpstreamLink[] = [
  { url: 'https://github.com/winstonjs/winston/issues/2219', title: 'winstonjs/winston#2219 Write after end node error with winston logger (open)' },
  { url: 'https://github.com/winstonjs/winston/pull/2599', title: 'winstonjs/winston#2599 fix(logger): prevent "write after end" error during shutdown (open PR)' },
];

export const UPSTREAM_RULES: readonly UpstreamRule[] = [
  {
    // pino-pipeline: the same hook ends the transport whatever runs in its worker (checked with
    // repro/pino-transport.exit-listener.cjs changed to a pipeline with an async transform: 5 of 5 lost).
    adapters: /^pino-(async|transport|multistream|pipeline)$/,
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
    adapters: /^pino-sync$/,
    scenarios: /^blocking-sink$/,
    kinds: ['blocked-caller', 'event-loop-stall'],
    triage: 'trade-off',
    note: 'documented behaviour: with sync: true "log messages are directly written to the output stream as the messages are generated with a blocking operation", so a destination that stops taking writes blocks the calling thread and its event loop for as long; asynchronous logging (sync: false) is the documented alternative',
    links: [{ url: 'https://getpino.io/#/docs/asynchronous', title: 'pino docs: Asynchronous Logging ("with a blocking operation" for sync: true)' }],
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
    // Checked in pino-socket 8.0.0's lib/TcpConnection.js and thread-stream 4.2.1's
    // lib/worker.js, and reproduced with pino and pino-socket alone (repro/pino-tcp.steady.cjs);
    // no upstream thread found (searched: "pino-socket records lost on end destroy socket",
    // "pino-socket messages lost when transport ends", "TcpConnection autoDestroy socket.destroy").
    adapters: /^pino-tcp$/,
    // The cells of the regenerated matrix where the socket still held data when pino-socket
    // destroyed it. Not graceful-exit or natural-exit: there (seed 2) the socket had handed
    // every byte to the kernel, and the loss is the in-process collector's, killed with the
    // run's process before it read them (a harness false positive, not pino-socket's).
    scenarios: /^(steady|startup-burst)$/,
    kinds: ['lost-records', 'exit-loss'],
    triage: 'new',
    note: "a new defect in pino-socket: its Writable calls back each write at once without waiting for the socket (lib/TcpConnection.js:107-113), so the transport's end() (thread-stream lib/worker.js:247) finishes it while the socket still holds written data; autoDestroy then runs its destroy(), which calls socket.destroy() (TcpConnection.js:91-96) and discards what the socket had not yet handed to the kernel, and the worker exits on 'close' (thread-stream lib/worker.js:185-193). The loss is the tail of each logger and grows with how far the loggers ran ahead of the collector (repro/pino-tcp.steady.cjs: 3 threads, a collector that reads only once every thread has called end(): 4 000 to 10 500 of 30 000 records lost)",
    links: [{ url: 'https://github.com/pinojs/pino-socket/blob/master/lib/TcpConnection.js', title: 'pinojs/pino-socket lib/TcpConnection.js: outputStream write() and destroy() (no upstream thread found)' }],
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
    // Checked with winston alone (repro/winston-file.graceful-exit.cjs): torn-lines' records of
    // 21 KB are lost the same way with a plain file and one logger, so the loss is not the pipe's.
    adapters: /^winston-(file|rotating)$/,
    scenarios: /^torn-lines$/,
    kinds: ['lost-records'],
    triage: 'confirmed',
    note: "not the pipe: with records larger than the File transport's stream buffer, winston-transport reports a batch of records done before File has written the ones waiting for the disk, so logger.end() and 'finish' come with records still unwritten, and they are lost with no error (the same loss with a plain file and a single logger, repro/winston-file.graceful-exit.cjs: 3 of 5 records of 21 KB missing)",
    links: [
      { url: 'https://github.com/winstonjs/winston-transport/issues/49', title: 'winstonjs/winston-transport#49 (open)' },
      ...WINSTON_END_RACE,
    ],
  },
  {
    // Checked in winston's File transport and with winston alone (repro/winston-rotating.startup-burst.cjs):
    // the records missing in the middle of the file, one run per rotation, are not the end race.
    adapters: /^winston-rotating$/,
    scenarios: /^startup-burst$/,
    kinds: ['lost-records'],
    triage: 'confirmed',
    note: "two losses: the tail is winston#2219's end race (logger.end() with records still in the logger's buffer); the runs of records missing in the middle of the file, one per rotation, are the File transport dropping about 16 KiB of queued records when the size check at maxsize rotates, silently and with 'finish' emitted (repro/winston-rotating.startup-burst.cjs: 24 records vanish at each of two rotations)",
    links: [
      { url: 'https://github.com/winstonjs/winston/issues/1655', title: 'winstonjs/winston#1655 (open; records lost around maxsize rotation, no cause given there)' },
      ...WINSTON_END_RACE,
    ],
  },
  {
    adapters: /^winston-(file|rotating)$/,
    // The scenarios where the regenerated matrix showed the loss beside "write after end".
    scenarios: /^(graceful-exit|natural-exit-graceful|startup-burst|natural-exit|steady|existing-sink|failing-sink|blocking-sink|slow-sink|stalled-sink|burst-overflow|reentrant-sink)$/,
    kinds: ['exit-hang', 'exit-loss', 'lost-records'],
    triage: 'confirmed',
    note: 'the same bug: logger.end() ends the transports while records are still in the logger\'s buffer; the writes that follow fail with "write after end" and are lost',
    links: [
      ...WINSTON_END_RACE,
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
      ...WINSTON_END_RACE,
    ],
  },
  {
    // The Http transport calls back on the next tick for every record, so the logger's buffer
    // backs up behind it and end() meets records still there in every scenario that closes.
    adapters: /^winston-http$/,
    scenarios: /.*/,
    // exit-hang: a scenario's own report of the shutdown failing (console-redirect, hostile-input).
    // isolation-breach: failing-sink's name for the same tail missing at the collector; checked
    // with the seed-1 run's parameters and a second sink that never fails (failEvery 1 000 000):
    // the same 26 records (the last 13 of each producer) missing, "write after end" the same.
    kinds: ['unhandled-error', 'lost-records', 'exit-loss', 'exit-hang', 'isolation-breach'],
    message: /write after end|records were lost|healthy sink is missing/,
    triage: 'confirmed',
    note: 'the same bug: logger.end() ends the Http transport while records are still in the logger\'s buffer; they fail with "write after end" and never reach the collector (repro/winston-http.http-collector.cjs: 8 of 40 records lost against a collector that answers 200). In failing-sink it is no isolation breach: the collector misses each producer\'s last records just as much when the Stream transport beside it never fails',
    links: [
      ...WINSTON_END_RACE,
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
    // lib/appenders/tcp.js: on 'error' the appender sets canWrite = false and empties its buffer
    // into the failed socket; 'close' makes a new socket at once, which a refusing collector
    // fails again; events written into a failed socket are gone, and shutdown's socket.end()
    // on the destroyed socket throws "Cannot call end after a stream was destroyed".
    adapters: /^log4js-tcp$/,
    scenarios: /^tcp-collector$/,
    kinds: ['lost-records', 'unhandled-error'],
    params: /"fault":"refuse"/,
    triage: 'new',
    note: "confirmed in log4js's source: while the collector refuses connections, the TCP appender's 'error' handler empties its buffer into the socket that just failed (emptyBuffer() after canWrite = false), so those events are written to a dead socket and lost without a count; its 'close' handler reconnects at once, and shutdown then calls end() on a destroyed socket, which throws",
    links: [{ url: 'https://github.com/log4js-node/log4js-node/blob/master/lib/appenders/tcp.js', title: "log4js lib/appenders/tcp.js: the 'error' handler calls emptyBuffer() on the failed socket" }],
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
    // Checked in pino 10.4.0's lib/multistream.js (write(): `stream.write(data)` with no
    // try/catch) and reproduced with pino alone (repro/pino-sync.failing-sink.cjs). pino-async's
    // multistream is the same code with an asynchronous sink beside the failing one.
    // The message rule for "sonic boom is not ready yet" comes first, so it keeps its own link.
    adapters: /^pino-(sync|async)$/,
    scenarios: /^failing-sink$/,
    kinds: ['unhandled-error', 'isolation-breach', 'lost-records'],
    triage: 'confirmed',
    note: "the same bug: pino.multistream calls each destination's write() in turn without a try/catch (lib/multistream.js:80), so a destination that throws (a destroyed sonic-boom throws 'SonicBoom destroyed') throws out of the log call into the application, and the destinations after it in the loop never get that record: the healthy sink misses exactly the records the failing one threw on (repro/pino-sync.failing-sink.cjs). A destination that emits 'error' instead does not disturb the others (the runs with failHow 'emit' pass)",
    links: [
      { url: 'https://github.com/pinojs/pino/issues/1489', title: 'pinojs/pino#1489 "Multistream should catch Error thrown by thread-stream" (closed by making thread-stream emit; multistream still has no try/catch)' },
      { url: 'https://github.com/pinojs/pino/pull/2455', title: 'pinojs/pino#2455 "fix(multistream): isolate per-stream write() errors so remaining streams still receive log data" (open PR)' },
    ],
  },
  {
    // Checked in pino 10.4.0 lib/worker.js (targets fed through pino.multistream, no 'error'
    // listener on them) and thread-stream 4.2.1 lib/worker.js:277-282 (uncaughtException ->
    // process.exit(1), without storing -2 in the shared state as the destination 'error'
    // handler does, so end() and flushSync() in the main thread wait out their 10 s).
    adapters: /^pino-transport$/,
    scenarios: /^failing-sink$/,
    kinds: ['isolation-breach', 'lost-records', 'unhandled-error', 'crash'],
    triage: 'new',
    note: "a new defect, checked in pino's and thread-stream's workers and reproduced with pino alone: all targets of one pino.transport share a worker, and a target that emits 'error' (pino/file on a full disk, repro/pino-transport.failing-sink.cjs with /dev/full: 19 of 20 records missing from the healthy target) or throws ends that worker, so every other target stops receiving; the main thread learns it only through the transport's 'error' event, and end()/flushSync() then wait their full 10 s (\"end() took too long (10s)\", \"_flushSync took too long (10s)\") because the dying worker never marks the shared state. The harness's failing target (adapters/sink-target.ts) errors the way sonic-boom does ('emit') or throws from write ('throw'); both end the worker the same way",
    links: [
      { url: 'https://github.com/pinojs/pino/issues/1820', title: 'pinojs/pino#1820 Pino reliability: no recovery once the transport worker exits (related)' },
      { url: 'https://github.com/pinojs/pino/issues/2106', title: 'pinojs/pino#2106 Memory issue and "flushSync took too long" error: a dead transport worker (related)' },
    ],
  },
  {
    adapters: /^pino-multistream$/,
    scenarios: /^(slow-sink|stalled-sink)$/,
    kinds: ['unbounded-memory'],
    triage: 'trade-off',
    note: "documented behaviour: pino.destination({ sync: false }) is sonic-boom, which buffers what the file cannot take yet with no bound unless maxLength is set (then it drops and emits 'drop'); pino documents asynchronous logging as buffering. Every record is delivered in the end",
    links: [
      { url: 'https://github.com/pinojs/sonic-boom#readme', title: 'sonic-boom README: maxLength ("the data written is dropped and a drop event is emitted")' },
      { url: 'https://getpino.io/#/docs/asynchronous', title: 'pino docs: Asynchronous Logging ("works by buffering log messages")' },
    ],
  },
  {
    // Checked in thread-stream 4.2.1 index.js:285-295: write() pushes every record onto an
    // array in the main thread while the ring is full; the only bound is MAX_STRING_LENGTH.
    // pino-pipeline: the same ring and array in front of the worker; behind it the pipeline's
    // PassThrough waits for 'drain' as pino/file does (repro/pino-transport.slow-sink.cjs with a
    // pipeline of an async transform and the stalled target: the same 65.5 MB).
    adapters: /^pino-(transport|pipeline)$/,
    scenarios: /^(slow-sink|stalled-sink)$/,
    kinds: ['unbounded-memory'],
    triage: 'new',
    note: "confirmed in thread-stream's source, not documented: the transport's ring buffer is bounded (4 MiB), but when the worker cannot drain it (pino/file, or a pipeline's first stage, waits for 'drain'), ThreadStream.write() keeps every further record in an array in the logging thread (index.js:295), with no bound but V8's maximum string length (index.js:285); it returns false then, but pino's log call drops that return value (lib/proto.js, write()), so the application sees no backpressure. Every record is delivered in the end. pino's transport docs say nothing of this buffering; the nearest thread is memory growth behind a dead worker (repro/pino-transport.slow-sink.cjs: 40 MB logged to a destination that stopped draining, the logging thread's buffers grow 65 MB past the 4 MiB ring). In logjam's slow-sink run the backlog (6.5 MB over 3 transports) stayed within the rings, so part of that growth is the rings' own pages: the bound past them is what is missing",
    links: [{ url: 'https://github.com/pinojs/pino/issues/2106', title: 'pinojs/pino#2106 Memory issue and "flushSync took too long" error (related: logs accumulate in the main thread)' }],
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
    // Checked in sonic-boom 4.2.1's index.js: flushSync() (line 554) leaves _writingBuf out while
    // _writing and writes the buffered records with fs.writeSync() at once, concurrently with
    // the asynchronous fs.write() still running on the libuv pool. On a stalled pipe both
    // writes block part-way, and writes above PIPE_BUF to one pipe may interleave.
    adapters: /^pino-(async|multistream)$/,
    scenarios: /^(stalled-sink|burst-overflow)$/,
    kinds: ['torn-records'],
    // Either half of the interleaving: the interrupted record's line, or a line holding both.
    evidence: /not one whole JSON value|more than one record marker/,
    triage: 'confirmed',
    note: "the same bug as the reordered records beside it, seen from the other side: logger.fatal() calls flushSync(), which writes the buffered records without waiting for the asynchronous write in flight; when that write is still part-way into a stalled pipe, flushSync's records land inside it (a line such as `{\"level\":30,\"time\":1{\"level\":30,...}`) and the rest of the interrupted record follows later (repro/pino-async.stalled-sink.cjs shows the order half; the tear needs the pipe to stall mid-write)",
    links: [{ url: 'https://github.com/pinojs/sonic-boom/issues/101', title: "pinojs/sonic-boom#101 flushSync doesn't wait for pending async writes to finish (closed)" }],
  },
  {
    // Checked in thread-stream 4.2.1: index.js:581 (write() copies what fits up to the ring's
    // end and keeps the rest of that record for after the reset) and lib/worker.js:251 (run()
    // hands each slice it reads to destination.write() as is). Reproduced with pino alone.
    // After the U+FFFD rule: a multi-byte character split at that boundary keeps its own link.
    adapters: /^pino-transport$/,
    // Where the matrix showed it, to a regular file; torn-lines' pipe writes above PIPE_BUF tear
    // for the POSIX reason the rule further down gives.
    scenarios: /^(steady|startup-burst)$/,
    kinds: ['torn-records'],
    evidence: /more than one record marker on one line/,
    triage: 'new',
    note: "a new limit of pino.transport, checked in thread-stream's source: a record that straddles the end of the transport's shared ring buffer (4 MiB) reaches the destination in two write() calls, so pino/file writes it with two write(2) calls; another writer appending to the same file (here each producer thread has its own transport to one file, as processes of a cluster would) can land its lines between the halves. Within one transport's own output the bytes stay in order. pino's docs say only that asynchronous logging has no one-to-one relationship between log calls and writes (Asynchronous Logging, Caveats); sonic-boom keeps whole records per write for this reason (sonic-boom#96). repro/pino-transport.startup-burst.cjs: a write(2) ends at byte 4 194 304, 304 bytes into record 4 194",
    links: [
      { url: 'https://github.com/pinojs/thread-stream/blob/main/index.js', title: 'pinojs/thread-stream index.js: write() splits a record at the ring end (no upstream thread found)' },
      { url: 'https://github.com/pinojs/sonic-boom/issues/96', title: 'pinojs/sonic-boom#96 MAX_WRITE can cause messages to split (the same property in sonic-boom)' },
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
    // Only a cut-off tail: the record being written when the process was killed.
    adapters: /.*/,
    scenarios: /^crash-mid-write$/,
    kinds: ['torn-records'],
    evidence: /"marker cut off|"cut off|record cut off|"no record marker/,
    triage: 'expected',
    note: 'expected by the scenario, reported as a fact: the process was killed (SIGTERM) part-way through writing a record, so the last line in the file is that record\'s cut-off start',
    links: [],
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
  // --- hrc ---
  {
    // Checked in winston 3.19.0 lib/winston/transports/stream.js log() (`this._stream.write(...)`
    // then `callback()`, no try/catch) and winston-transport 4.9.0 modern.js _write (returns
    // this.log(info, callback)); reproduced with winston alone (repro/winston-stream.recovering-sink.cjs).
    adapters: /^winston-stream$/,
    scenarios: /^recovering-sink$/,
    params: /"failHow":"throw"/,
    kinds: ['lost-records', 'hang', 'exit-hang', 'unhandled-error'],
    triage: 'new',
    note: "a new defect, checked in winston's source and reproduced with winston alone: when the Stream transport's destination throws out of write() once, the transport's log() never calls its callback, so winston-transport's Writable stays in the middle of that write for good: every later record is buffered behind it and never reaches the destination (which takes writes again), and logger.end() never emits 'finish' (the run's hang). The throw also escapes the one log call. A destination that reports the failure by callback and 'error' instead is recovered from (the runs with failHow 'emit' pass)",
    links: [{ url: 'https://github.com/winstonjs/winston/issues/1364', title: 'winstonjs/winston#1364 a transport that errored is unpiped and gets no more logs (the same class: no recovery after one failure)' }],
  },
  {
    // Checked in pino 10.4.0 lib/proto.js write() (`stream.write(...)` with no try/catch); reproduced with pino alone.
    adapters: /^pino-sync$/,
    scenarios: /^recovering-sink$/,
    params: /"failHow":"throw"/,
    kinds: ['unhandled-error'],
    triage: 'confirmed',
    note: "pino calls its destination's write() without a try/catch (lib/proto.js), so a destination that throws once (a synchronous fs.writeSync destination on EAGAIN or ENOSPC) throws out of that log call into the application (repro/pino-sync.recovering-sink.cjs); pino recovers: every later record arrives. The same missing try/catch as multistream's (pinojs/pino#1489, closed by making thread-stream emit instead of throw)",
    links: [{ url: 'https://github.com/pinojs/pino/issues/1489', title: 'pinojs/pino#1489 "Multistream should catch Error thrown by thread-stream" (the same class, one destination)' }],
  },
  {
    // Checked in bunyan 2.0.5 lib/bunyan.js Logger.prototype._emit; reproduced with bunyan alone.
    adapters: /^bunyan-stream$/,
    scenarios: /^recovering-sink$/,
    params: /"failHow":"throw"/,
    kinds: ['unhandled-error'],
    triage: 'new',
    note: "confirmed in bunyan's source: Logger.prototype._emit calls each stream's write() without a try/catch, so a stream that throws once throws out of that log call into the application (repro/bunyan-stream.recovering-sink.cjs); bunyan's documented stream-error handling (README \"stream errors\": 'error' events re-emitted on the logger) covers errors a stream emits, not one it throws. bunyan recovers: every later record arrives, and the runs with failHow 'emit' pass",
    links: [{ url: 'https://github.com/trentm/node-bunyan#stream-errors', title: 'bunyan README: stream errors' }],
  },
  // --- hpl ---
  {
    // Checked in thread-stream 4.2.1: index.js end() stores -1 and then waits with Atomics.wait,
    // 1 s at a time, for the worker to publish its last read index, which lib/worker.js:185 does
    // only on the destination's 'close'; after 10 spins it destroys the stream with "end() took
    // too long (10s)" and terminates the worker. pino 10.4.0 lib/worker.js returns the pipeline's
    // PassThrough as that destination, so 'close' waits for every stage of the pipeline.
    adapters: /^pino-pipeline$/,
    scenarios: /.*/,
    kinds: ['event-loop-stall'],
    message: /\bin (the logger's documented )?close\b/,
    triage: 'new',
    note: "confirmed in thread-stream's source, not documented: the transport's end() waits synchronously (Atomics.wait in the application's thread) until the worker's destination closes, and with a pipeline that means until the asynchronous transform has drained all it holds, so the application's event loop stands still for the whole drain (repro/pino-pipeline.graceful-exit.cjs: 1 000 records behind a 2 ms lookup block the loop about 2.5 s; pino/file alone, 11 ms). After 10 s end() gives up, emits 'error' (\"end() took too long (10s)\") and terminates the worker, losing what the transform had not written (6 000 records behind a 2 ms lookup: about 1 800 lost). In logjam's graceful-exit the drain is short (a setImmediate per record), so the stall there is partly CPU starvation on a loaded machine: the cause is what the script shows",
    links: [{ url: 'https://github.com/pinojs/thread-stream/blob/main/index.js', title: "pinojs/thread-stream index.js: end() waits with Atomics.wait for the worker's destination to close, 10 s at most (no upstream thread found)" }],
  },
  // --- hsh ---
  {
    adapters: /^pino-loki$/,
    scenarios: /^(steady|startup-burst)$/,
    kinds: ['lost-records'],
    evidence: /"missing":\[\{"producer":\d+,"from":0,/,
    triage: 'trade-off',
    note: "documented: with batching on (pino-loki's default: a send every 5 s), a logger whose buffer reaches batching.maxBufferSize (10 000) drops its oldest record for each new one (dist/index.cjs: pinoLogBuffer.shift(), logged only under NODE_DEBUG=pino-loki), so a logger that logs more than 10 000 records between two sends loses the oldest, silently: each missing range starts at the producer's first record (repro/pino-loki.steady.cjs: 500 of 10 500). The README states the cap and the drop; nothing counts it, so the adapter has no dropped()",
    links: [{ url: 'https://github.com/Julien-R44/pino-loki#batchingmaxbuffersize', title: 'pino-loki README: batching.maxBufferSize, "oldest logs are dropped"' }],
  },
  {
    adapters: /^pino-loki$/,
    scenarios: /^http-collector$/,
    kinds: ['lost-records'],
    params: /"fault":"(status|reset)"/,
    triage: 'trade-off',
    note: "documented: a push that fails (any status but 2xx, a reset, the 30 s timeout) is printed with console.error and its batch is gone, with no retry and no count (dist/index.cjs LogPusher.push: the catch calls #handleFailure only); with the default batching the whole of a short run is one batch, sent by the transport's close() (repro/pino-loki.http-collector.cjs: 100 of 100 lost to one 503). README \"Dropped logs\": \"If Loki is unreachable, logs in the current batch will be lost\"",
    links: [{ url: 'https://github.com/Julien-R44/pino-loki#dropped-logs', title: 'pino-loki README: Dropped logs' }],
  },
  {
    adapters: /^log4js-http$/,
    scenarios: /^http-collector$/,
    kinds: ['lost-records'],
    params: /"fault":"(status|reset)"/,
    triage: 'new',
    note: "confirmed in the appender's source, not documented: each event is one POST (axios 0.21) whose failure, a 5xx or 429, a reset or its `timeout`, only reaches console.error: no retry, no count (repro/log4js-http.http-collector.cjs: 5 of 40 lost to 503s). The adapter raises `timeout` to 30 s so that a loaded machine, which starves the logging threads, does not fail requests the collector answered at once; before it did, a stall or slow run at load 14 lost the events of requests that timed out, by the same drop",
    links: [{ url: 'https://github.com/log4js-node/logstashHTTP/blob/master/lib/index.js', title: '@log4js-node/logstash-http lib/index.js: sender.post(...).catch(console.error)' }],
  },
  {
    adapters: /^log4js-http$/,
    scenarios: /^(hostile-input|below-level-flood|console-redirect)$/,
    kinds: ['lost-records'],
    triage: 'new',
    note: "confirmed in the sources: the logstash-http appender has no shutdown function, so log4js.shutdown(cb) calls back at once (log4js 6.9.1 lib/log4js.js:126-129) while the events logged just before are still unsent (each POST is dispatched after the current turn); logjam closes its collector once the documented shutdown has called back, as an application exits in that callback, and they are lost (repro/log4js-http.shutdown.cjs: 20 of 20). The same loss at exit (graceful-exit, natural-exit-graceful) is reported unjudged, since the collector ends with the process",
    links: [{ url: 'https://github.com/log4js-node/logstashHTTP/blob/master/lib/index.js', title: '@log4js-node/logstash-http lib/index.js: configure() returns an appender with no shutdown' }],
  },
  {
    // The same worker as pino-transport's: targets [logjam's failing target, pino-loki].
    adapters: /^pino-loki$/,
    scenarios: /^failing-sink$/,
    kinds: ['isolation-breach', 'lost-records', 'unhandled-error', 'crash', 'hang'],
    triage: 'new',
    note: "the same defect as pino-transport's failing-sink: pino-loki runs as a target of the same pino.transport worker as the failing target, and that target's error ends the worker (thread-stream lib/worker.js: uncaughtException -> process.exit(1)), so pino-loki never sends the batch it holds (all of a short run's records, or all since the last 5 s push); end() and flushSync() then wait out their 10 s (\"_flushSync took too long (10s)\"), which the watchdog sees as the producers wedged in Atomics.wait (repro/pino-transport.failing-sink.cjs, with pino/file as the healthy target)",
    links: [
      { url: 'https://github.com/pinojs/pino/issues/1820', title: 'pinojs/pino#1820 Pino reliability: no recovery once the transport worker exits (related)' },
      { url: 'https://github.com/pinojs/pino/issues/2106', title: 'pinojs/pino#2106 Memory issue and "flushSync took too long" error: a dead transport worker (related)' },
    ],
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
