/**
 * recovering-sink: the logger's only destination fails for a short window of writes, then works
 * again, as a log service that refuses a request or two, or a disk briefly full, does. Records
 * logged after the window must all arrive: a logger that gives up on its destination after one
 * failure loses everything the application logs from then on.
 *
 * Load: one logger in the run's main thread writes `records` records, in batches of 16 with a
 * turn of the event loop between batches (so an asynchronous logger writes while the
 * application logs), into the application's own stream (capability `stream`), then the
 * logger's documented shutdown.
 *
 * Pathology: writes `failFrom` .. `failFrom + failCount - 1` of the stream fail, before writing:
 * `failHow` 'throw' throws out of `stream.write()`, 'emit' calls the write's callback with the
 * error and emits 'error' on the stream. Every other write is appended to the sink file. The
 * stream itself recovers: it is not destroyed and takes the next write (a Node Writable that
 * errored never writes again, so the stream overrides `write()` and keeps its own state
 * healthy), so whatever stops delivery after the window is the logger's doing. The application
 * owns the stream and listens for its 'error' (counted), as it would.
 *
 * Oracle: every record logged after the last failing write must arrive (`lost-records` with the
 * range, signature `not-recovered`); records in a failing write are the destination's losses,
 * counted by the stream, and the ledger counts them refused, not lost; any other record missing
 * is the ledger's `lost-records`. A log call that throws is `unhandled-error` (its record is
 * refused, the caller was told); the process must not die (`crash`) and the shutdown must settle
 * within the close bound (`exit-hang`).
 *
 * Upstream bug class: a destination that failed once stops receiving for good: winston unpipes
 * a transport that emitted 'error' (https://github.com/winstonjs/winston/issues/1364); a
 * stream-backed logger that keeps the errored state of its destination.
 */

import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { encodeRecord, parseLine, PayloadSource } from '../harness/ledger/record.js';
import { readSink } from '../harness/ledger/sink-check.js';
import { closeWithDeadline, shutdownFinding } from '../harness/util/deadline.js';
import { createRandom, deriveSeed } from '../harness/util/random.js';

const BATCH = 16;

interface RecordRef {
  readonly producer: number;
  readonly seq: number;
}

/**
 * A destination that fails writes `from` .. `from + count - 1` and takes every other one.
 * `loggedNow` says how many records the application had logged when a write failed.
 */
class RecoveringStream extends Writable {
  writes = 0;
  failures = 0;
  /** Records whose log call had begun when the last failing write happened (-1: none failed). */
  loggedAtLastFailure = -1;
  readonly refused: RecordRef[] = [];

  constructor(
    private readonly file: string,
    private readonly from: number,
    private readonly count: number,
    private readonly how: 'throw' | 'emit',
    private readonly loggedNow: () => number,
  ) {
    super({
      write(chunk: Buffer, _encoding, callback) {
        appendFileSync(file, chunk);
        callback();
      },
    });
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const n = ++this.writes;
    if (n < this.from || n >= this.from + this.count) {
      return (super.write as (c: unknown, e?: unknown, cb?: unknown) => boolean)(chunk, encoding, callback);
    }
    this.failures++;
    this.loggedAtLastFailure = this.loggedNow();
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
    for (const line of text.split('\n')) {
      const parsed = parseLine(line, 'ndjson');
      if (parsed.ok) this.refused.push({ producer: parsed.producer, seq: parsed.seq });
    }
    const error = Object.assign(new Error(`injected destination failure on write ${n} (${this.failures} of ${this.count})`), { code: 'ELOGJAMSINK' });
    if (this.how === 'throw') throw error;
    const cb = typeof encoding === 'function' ? encoding : callback;
    process.nextTick(() => {
      if (typeof cb === 'function') (cb as (e: Error) => void)(error);
      this.emit('error', error);
    });
    return true;
  }
}

export default defineScenario({
  name: 'recovering-sink',
  description: "the logger's only destination fails for a few writes (throws or emits 'error'), then works again; every record logged after that must arrive",
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: "a destination that failed once stops receiving for good (winston unpipes an errored transport, https://github.com/winstonjs/winston/issues/1364)",
  params: fc.record({
    records: fc.integer({ min: 200, max: 2000 }),
    failFrom: fc.integer({ min: 1, max: 8 }),
    failCount: fc.integer({ min: 1, max: 4 }),
    failHow: fc.constantFrom('throw' as const, 'emit' as const),
  }),
  skip: (capabilities) =>
    capabilities.stream !== true ? "the adapter cannot write to the application's own stream (capabilities.stream)" : undefined,
  async run(ctx, { records, failFrom, failCount, failHow }) {
    let logged = 0;
    // Records whose log call has begun: a synchronous logger writes the current one inside it.
    let begun = 0;
    const stream = new RecoveringStream(ctx.file, failFrom, failCount, failHow, () => begun);
    // The application's own stream: it handles the stream's errors, as an application must.
    let streamErrors = 0;
    stream.on('error', () => void streamErrors++);
    const logger = await ctx.createLogger({ level: 'info', stream });
    const payloads = new PayloadSource(createRandom(deriveSeed(ctx.spec.seed, 0)), 16, 200);
    const thrown: RecordRef[] = [];
    let firstThrow: unknown;
    ctx.phase('producing');
    for (let seq = 0; seq < records; seq++) {
      begun = seq + 1;
      try {
        logger.log('info', encodeRecord(0, seq, payloads.payload(seq)));
      } catch (error: unknown) {
        thrown.push({ producer: 0, seq });
        firstThrow ??= error;
      }
      logged++;
      if (logged % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Drops the logger reports, up to the number the destination refused, are those same
    // records (the logger saw the write fail): counted once, as refused.
    const report = (): void =>
      ctx.produced([logged], Math.max(0, (logger.dropped?.() ?? 0) - stream.refused.length), [...thrown, ...stream.refused]);
    report();
    ctx.phase('closing');
    const closed = await closeWithDeadline({ close: () => logger.close?.() }, ctx.spec.closeMs);
    // Writes that failed during the shutdown refused their records too.
    report();
    const closeFinding = shutdownFinding("The logger's documented shutdown", closed, ctx.spec.closeMs, { writes: stream.writes, failures: stream.failures });
    if (closeFinding !== undefined) ctx.finding(closeFinding);

    ctx.phase('checking');
    const window = { failFrom, failCount, failHow, writes: stream.writes, failures: stream.failures, streamErrors, refusedByDestination: stream.refused.length };
    if (thrown.length > 0) {
      ctx.finding({
        kind: 'unhandled-error',
        severity: 'error',
        message: `${thrown.length} log call(s) threw at the caller while the destination failed (${failHow === 'throw' ? 'throwing out of write()' : "emitting 'error'"}): ${firstThrow instanceof Error ? firstThrow.message : String(firstThrow)}`,
        evidence: { ...window, thrownCalls: thrown.length, firstRefused: thrown.slice(0, 10) },
      });
    }
    if (stream.failures > 0) {
      const recoverFrom = stream.loggedAtLastFailure;
      const contents = readSink(ctx.file, ctx.adapter.capabilities.format);
      const delivered = contents.delivered.get(0) ?? new Set<number>();
      const accounted = new Set([...thrown, ...stream.refused].map((r) => r.seq));
      const after = missingRanges(recoverFrom, logged, (seq) => !delivered.has(seq) && !accounted.has(seq));
      const count = after.reduce((n, r) => n + r.to - r.from + 1, 0);
      if (count > 0) {
        ctx.finding({
          kind: 'lost-records',
          severity: 'error',
          message: `${count} of the ${logged - recoverFrom} records logged after the destination's last failure (write ${stream.writes >= failFrom + failCount - 1 ? failFrom + failCount - 1 : stream.writes} of ${stream.writes}) never arrived: the logger did not recover from ${stream.failures} failing write(s) (${failHow === 'throw' ? 'thrown out of write()' : "'error' emitted"}), though the stream took every later write`,
          evidence: { signature: 'not-recovered', ...window, loggedBeforeRecovery: recoverFrom, lostAfterRecovery: count, ranges: after.slice(0, 10) },
        });
      }
      ctx.phase(`destination failed ${stream.failures} of ${stream.writes} writes; ${count} records logged after its last failure missing`);
    } else {
      ctx.phase(`the logger made ${stream.writes} writes: the failure window (from write ${failFrom}) was never reached`);
    }
    ctx.phase('done');
  },
});

/** Ranges of sequence numbers in [from, to) for which `missing` holds (producer 0). */
function missingRanges(from: number, to: number, missing: (seq: number) => boolean): { producer: number; from: number; to: number }[] {
  const out: { producer: number; from: number; to: number }[] = [];
  let start = -1;
  for (let seq = Math.max(0, from); seq <= to; seq++) {
    const gone = seq < to && missing(seq);
    if (gone && start < 0) start = seq;
    if (!gone && start >= 0) {
      out.push({ producer: 0, from: start, to: seq - 1 });
      start = -1;
    }
  }
  return out;
}
