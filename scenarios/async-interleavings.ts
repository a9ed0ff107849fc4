/**
 * async-interleavings: fast-check's scheduler decides when each asynchronous sink write
 * completes, relative to the logger's flushes and its close.
 *
 * Load: one logger in the run's main thread writes `records` records into a harness stream (a
 * Node Writable) and calls its documented flush every `flushEvery` records, then its documented
 * shutdown. Pathology: every write of the stream completes only when the scheduler
 * (`fc.scheduler()`, drawn from `schedulerSeed`) lets it, after `releases` other scheduled
 * completions at most between two bursts; the stream's final callback too. Real records still
 * reach the sink file the ledger reads, in the order the stream completes them.
 *
 * Oracle: a flush resolves only after every record logged before it is delivered (a flush that
 * resolves early is `lost-records` at that moment: an application that flushed before exiting
 * would lose them); the shutdown resolves, and loses nothing (the ledger); no error escapes.
 *
 * Reproduces: loggers whose flush only covers their own buffer and not the destination's
 * pending writes, e.g. pino's `flush()` on a non-sonic-boom stream returns at once
 * (https://github.com/pinojs/pino/blob/main/docs/api.md#loggerflushcallback), and shutdowns
 * that end before the stream's `finish` (winston's `end()` vs its transports' `finish`,
 * https://github.com/winstonjs/winston/issues/1504).
 */

import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { deriveSeed, createRandom } from '../harness/util/random.js';
import { encodeRecord, PayloadSource } from '../harness/ledger/record.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

/** How long the whole scheduled exchange may take before it is a hang of the logger's shutdown. */
const DRIVE_MS = 10_000;

export default defineScenario({
  name: 'async-interleavings',
  description: "fast-check's scheduler orders async sink write completions against flushes and close; a flush must cover every earlier record, close must lose none",
  failOn: failOn(['lost-records', 'duplicate-records', 'reordered-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: "flush() that covers the logger's own buffer but not the destination's pending writes (pino flush on a plain stream); shutdown resolving before the stream's finish (winston#1504)",
  params: fc.record({
    records: fc.integer({ min: 1, max: 400 }),
    flushEvery: fc.integer({ min: 1, max: 100 }),
    releases: fc.integer({ min: 0, max: 8 }),
    schedulerSeed: fc.integer({ min: 0, max: 0x7fffffff }),
  }),
  skip: (capabilities) =>
    capabilities.stream !== true ? 'the adapter cannot write to a stream the harness gives it (capabilities.stream)' : undefined,
  async run(ctx, { records, flushEvery, releases, schedulerSeed }) {
    const [scheduler] = fc.sample(fc.scheduler(), { seed: schedulerSeed, numRuns: 1 });
    if (scheduler === undefined) throw new Error('fast-check gave no scheduler');
    let delivered = 0;
    let inFlight = 0;
    const stream = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _encoding, callback) {
        inFlight++;
        scheduler.schedule(Promise.resolve(), `write of ${chunk.length} bytes`).then(
          () => {
            appendFileSync(ctx.file, chunk);
            delivered += countLines(chunk);
            inFlight--;
            callback();
          },
          (error: unknown) => callback(error as Error),
        );
      },
      final(callback) {
        scheduler.schedule(Promise.resolve(), 'final').then(() => callback(), (error: unknown) => callback(error as Error));
      },
    });
    const logger = await ctx.createLogger({ level: 'info', stream });
    const payloads = new PayloadSource(createRandom(deriveSeed(ctx.spec.seed, 0)), 16, 200);
    const early: { flush: number; loggedBefore: number; deliveredAtResolve: number; inFlight: number }[] = [];
    const flushes: { settled: boolean }[] = [];
    ctx.phase('producing');
    let logged = 0;
    for (let seq = 0; seq < records; seq++) {
      logger.log('info', encodeRecord(0, seq, payloads.payload(seq)));
      logged++;
      if (logger.flush !== undefined && (logged % flushEvery === 0 || logged === records)) {
        const loggedBefore = logged;
        const n = flushes.length;
        const flush = { settled: false };
        flushes.push(flush);
        void Promise.resolve(logger.flush()).then(
          () => {
            flush.settled = true;
            if (delivered < loggedBefore) early.push({ flush: n, loggedBefore, deliveredAtResolve: delivered, inFlight });
          },
          () => void (flush.settled = true),
        );
        // Let the scheduler complete some of what is pending before the next burst.
        for (let i = 0; i < releases && scheduler.count() > 0; i++) await scheduler.waitOne();
      }
    }
    ctx.produced([logged], logger.dropped?.() ?? 0);
    ctx.phase('closing');
    let closed = false;
    let closeError: unknown;
    const closing = Promise.resolve(logger.close?.()).then(
      () => void (closed = true),
      (error: unknown) => {
        closed = true;
        closeError = error;
      },
    );
    // Drive the scheduler until the shutdown settles; real I/O gets a turn whenever nothing
    // scheduled is pending. Bounded: a shutdown that never settles is a finding, not a hang here.
    const until = performance.now() + DRIVE_MS;
    while (!closed && performance.now() < until) {
      if (scheduler.count() > 0) await scheduler.waitOne();
      else await new Promise((resolve) => setImmediate(resolve));
    }
    if (closed) await scheduler.waitIdle();
    await Promise.race([closing, new Promise((resolve) => setImmediate(resolve))]);
    // The scheduler prints the order it chose as a `schedulerFor` call that replays it.
    const order = (scheduler as { toString(): string }).toString().split('\n').slice(0, 40).join('\n');
    for (const e of early) {
      ctx.finding({
        kind: 'lost-records',
        severity: 'error',
        message: `flush #${e.flush} resolved with ${e.deliveredAtResolve} of the ${e.loggedBefore} records logged before it delivered (${e.inFlight} writes still pending in the stream): an application that flushes and exits loses them`,
        evidence: { signature: 'flush-before-delivered', ...e, schedulerOrder: order },
      });
      break;
    }
    const pending = flushes.findIndex((f) => !f.settled);
    if (pending >= 0) {
      ctx.finding({
        kind: 'exit-hang',
        severity: 'error',
        message: `flush #${pending} never resolved, though fast-check's scheduler completed every pending write`,
        evidence: { signature: 'flush-never-resolved', flush: pending, delivered, logged, inFlight, schedulerOrder: order },
      });
    }
    if (!closed) {
      ctx.finding({
        kind: 'exit-hang',
        severity: 'error',
        message: `The documented shutdown did not settle within ${DRIVE_MS} ms while fast-check's scheduler completed every pending write`,
        evidence: { delivered, logged, inFlight, schedulerOrder: order },
      });
    } else if (closeError !== undefined) {
      ctx.finding({
        kind: 'unhandled-error',
        severity: 'error',
        message: `The documented shutdown failed: ${closeError instanceof Error ? closeError.message : JSON.stringify(closeError)}`,
        evidence: { delivered, logged, inFlight, ...(closeError instanceof Error && closeError.stack !== undefined ? { stack: closeError.stack } : {}) },
      });
    }
    ctx.phase('done');
  },
});

function countLines(chunk: Buffer): number {
  let n = 0;
  for (const byte of chunk) if (byte === 10) n++;
  return n;
}
