/**
 * reopen-then-close: logrotate's SIGHUP arrives, the application calls the logger's documented
 * reopen, and a shutdown follows at once (a deploy that rotates logs and restarts, a SIGTERM
 * right behind the SIGHUP), while the logger still has a write in flight and records held.
 *
 * Load: the main thread logs `before` records; once they are in the file (bounded by the close
 * bound) it is renamed away (as in moved-sink), one record is logged (on an asynchronous logger, a write is in flight from here
 * on), `reopen()` is called, `after` more records are logged and the documented shutdown is
 * called in the same turn of the event loop, with no tick between.
 * Pathology: a close that overtakes a reopen the logger deferred.
 *
 * Oracle: the shutdown settles within the close bound (`exit-hang` if its callback or promise
 * never does) and every record logged is in one of the two files (`lost-records` with the range
 * otherwise). Where a record went, the moved file or the path, is moved-sink's question: here
 * both files count, so only loss and a hung close are flagged.
 *
 * Upstream bug class: a shutdown that overtakes a pending reopen and is forgotten. sonic-boom
 * (pino's asynchronous destination), 4.2.1 and 5.0.2: `reopen()` while a write is in flight
 * only sets `_reopening`; `end()` then only sets `_ending`; when the write completes, `release`
 * calls `reopen()`, which returns early because `_ending` is set, so what was buffered is never
 * written and 'close' is never emitted (repro/sonic-boom.reopen-then-close.cjs, no logjam).
 */

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { encodeRecord } from '../harness/ledger/record.js';
import { errorMessage, shutdownFinding } from '../harness/util/deadline.js';
import { landed, skipWithoutReopen } from './moved-sink.js';

export default defineScenario({
  name: 'reopen-then-close',
  description: "rename the logger's file away, call its reopen and close at once; the close must settle and no record be lost",
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a shutdown that overtakes a pending reopen never completes and loses what was buffered (sonic-boom: end() while reopen waits on a write)',
  params: fc.record({
    before: fc.integer({ min: 1, max: 500 }),
    after: fc.integer({ min: 1, max: 500 }),
  }),
  skip: skipWithoutReopen,
  async run(ctx, { before, after }) {
    const logger = await ctx.createLogger();
    const moved = `${ctx.file}.1`;
    let seq = 0;
    const log = (count: number): void => {
      for (const end = seq + count; seq < end; seq++) logger.log('info', encodeRecord(0, seq, `reopen-then-close-${seq}`));
    };
    ctx.phase('producing before the move');
    log(before);
    // A running application: the logger has opened its file and written what it was given.
    ctx.phase('waiting for the records logged before the move to land');
    await landed(ctx.adapter.capabilities.format, [ctx.file], 0, seq, ctx.spec.closeMs);
    ctx.phase('moving the sink away');
    renameSync(ctx.file, moved);
    // One record: an asynchronous logger starts writing it (or has a write in flight already).
    log(1);
    ctx.phase('reopening, logging and closing in one turn');
    let reopenError: unknown;
    try {
      // Not awaited: a SIGHUP handler calls reopen and returns; the shutdown follows in the same turn.
      const pending = logger.reopen?.();
      if (pending instanceof Promise) pending.catch((error: unknown) => (reopenError = error));
    } catch (error) {
      reopenError = error;
    }
    log(after);
    const closed = await ctx.close(logger);
    if (reopenError !== undefined) {
      ctx.finding({ kind: 'unhandled-error', severity: 'error', message: `The logger's reopen failed: ${errorMessage(reopenError)}`, evidence: { error: errorMessage(reopenError) } });
    }
    const closeFinding = shutdownFinding("The logger's documented shutdown, called right after its reopen", closed, ctx.spec.closeMs, { before, after, writeInFlightAtReopen: 1 });
    if (closeFinding !== undefined) ctx.finding(closeFinding);

    // Both files are the sink: the moved one first (what was written before the reopen took effect).
    const old = existsSync(moved) ? readFileSync(moved, 'utf8') : '';
    const current = existsSync(ctx.file) ? readFileSync(ctx.file, 'utf8') : '';
    writeFileSync(ctx.file, old + current);
    rmSync(moved, { force: true });
    ctx.phase(`joined the moved file (${old.length} bytes) and the file at the path (${current.length} bytes)`);
    ctx.produced([seq], logger.dropped?.() ?? 0);
    ctx.phase('done');
  },
});
