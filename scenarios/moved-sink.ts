/**
 * moved-sink: the logger's only destination goes away and comes back, as with logrotate's
 * default (create) mode: the file is renamed away while the logger holds it open, and the
 * application then calls the logger's documented reopen (the SIGHUP handler logrotate's
 * postrotate signals), which must resume writing at the path.
 *
 * Load: the main thread's logger logs `before` records, the sink is renamed to `sink.log.1`,
 * `between` more are logged (they still reach the moved file, through the open descriptor),
 * `reopen()` is called, then `after` records are logged and the logger is closed.
 * Pathology: the destination removed from its path mid-run, recreated by the logger's reopen.
 *
 * The close comes once every record logged after the reopen has reached one file or the other
 * (bounded by the close bound), as a shutdown comes some time after logrotate's SIGHUP: a close
 * racing a reopen still in progress is reopen-then-close's business, not this scenario's.
 *
 * Oracle: a record logged before reopen() returned belongs in the moved file or at the path; a
 * record logged after it must be at the path. The scenario then joins the two files into the
 * sink (the moved one first, keeping only what was logged before the reopen from it), and the
 * ledger counts the rest: records the reopen lost are `lost-records` with their count; a logger
 * that never resumes at the path (its later records went on into the moved file, which the
 * rotation tool compresses or deletes next) is flagged with the count that went astray.
 *
 * Upstream bug class: logs lost or written into the rotated file after a logrotate reopen
 * (https://github.com/trentm/node-bunyan/issues/104, https://github.com/pinojs/pino/issues/1000,
 * https://github.com/log4js-node/log4js-node/issues/1103).
 */

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Capabilities } from '../harness/contract/adapter.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { encodeRecord, parseLine } from '../harness/ledger/record.js';
import { closeWithDeadline, shutdownFinding } from '../harness/util/deadline.js';

/** moved-sink and reopen-then-close need a logger that writes a file at the path and can reopen it. */
export function skipWithoutReopen(capabilities: Capabilities): string | undefined {
  return capabilities.reopen !== true
    ? 'the logger has no documented reopen of its file (capabilities.reopen)'
    : capabilities.tcp === true || capabilities.http === true
      ? 'the adapter does not write a file'
      : capabilities.pathSink === false || capabilities.harnessSink === true
        ? 'the adapter does not open the sink path itself (pathSink)'
        : undefined;
}

/**
 * Waits until the records `from`..`to` - 1 are each in one of `files`, or `boundMs` pass: the
 * logger's own time to write what it holds. It judges nothing; the ledger does, after the close.
 */
export async function landed(format: Capabilities['format'], files: readonly string[], from: number, to: number, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const seen = new Set<number>();
    for (const file of files) {
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const parsed = line === '' ? undefined : parseLine(line, format);
        if (parsed?.ok === true && parsed.seq >= from && parsed.seq < to) seen.add(parsed.seq);
      }
    }
    if (seen.size >= to - from || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export default defineScenario({
  name: 'moved-sink',
  description: "rename the logger's file away mid-run (logrotate), call its reopen; records logged after the reopen must be at the path, none lost",
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'records lost, or written into the rotated file, around a logrotate reopen (https://github.com/trentm/node-bunyan/issues/104)',
  params: fc.record({
    before: fc.integer({ min: 1, max: 500 }),
    between: fc.integer({ min: 0, max: 200 }),
    after: fc.integer({ min: 1, max: 500 }),
  }),
  skip: skipWithoutReopen,
  async run(ctx, { before, between, after }) {
    const format = ctx.adapter.capabilities.format;
    const logger = await ctx.createLogger();
    const moved = `${ctx.file}.1`;
    let seq = 0;
    const log = (count: number): void => {
      for (const end = seq + count; seq < end; seq++) logger.log('info', encodeRecord(0, seq, `moved-sink-${seq}`));
    };
    ctx.phase('producing before the move');
    log(before);
    // The file must exist to be moved: an asynchronous destination opens it on its own time.
    for (let waited = 0; !existsSync(ctx.file) && waited < ctx.spec.closeMs; waited += 10) await new Promise((r) => setTimeout(r, 10));
    // A tick for an asynchronous logger to write what it holds, as an application does between calls.
    await new Promise((r) => setImmediate(r));
    ctx.phase('moving the sink away');
    renameSync(ctx.file, moved);
    log(between);
    ctx.phase('reopening');
    const reopened = await closeWithDeadline({ close: () => logger.reopen?.() }, ctx.spec.closeMs);
    const reopenFinding = shutdownFinding("The logger's reopen", reopened, ctx.spec.closeMs);
    if (reopenFinding !== undefined) ctx.finding(reopenFinding);
    const firstAfter = seq;
    ctx.phase('producing after the reopen');
    log(after);
    ctx.phase('waiting for the records logged after the reopen to land');
    await landed(format, [ctx.file, moved], firstAfter, seq, ctx.spec.closeMs);
    ctx.phase('closing');
    const closed = await ctx.close(logger);
    const closeFinding = shutdownFinding("The logger's documented shutdown", closed, ctx.spec.closeMs);
    if (closeFinding !== undefined) ctx.finding(closeFinding);

    // Join the two files into the sink the ledger reads: the moved file's records logged
    // before the reopen, then the file at the path. A later record found only in the moved file
    // is left out, so the ledger counts it lost; it is named here.
    const old = existsSync(moved) ? readFileSync(moved, 'utf8') : '';
    const current = existsSync(ctx.file) ? readFileSync(ctx.file, 'utf8') : '';
    const kept: string[] = [];
    let astray = 0;
    for (const line of old.split('\n')) {
      if (line === '') continue;
      const parsed = parseLine(line, format);
      if (parsed.ok && parsed.seq >= firstAfter) astray++;
      else kept.push(`${line}\n`);
    }
    let atPath = 0;
    for (const line of current.split('\n')) {
      const parsed = line === '' ? undefined : parseLine(line, format);
      if (parsed?.ok === true && parsed.seq >= firstAfter) atPath++;
    }
    writeFileSync(ctx.file, kept.join('') + current);
    rmSync(moved, { force: true });
    ctx.phase(`moved file: ${kept.length} lines kept, ${astray} logged after the reopen; at the path: ${atPath} of the ${after} logged after it`);
    if (astray > 0) {
      ctx.finding({
        kind: 'lost-records',
        severity: 'error',
        message: `${astray} of the ${after} records logged after reopen() returned went on into the moved file, not to the path: the logger did not resume where the rotation tool expects (it compresses or deletes the moved file next)`,
        evidence: { signature: 'written-to-moved-file', astray, atPath, after, before, between },
      });
    }
    ctx.produced([seq], logger.dropped?.() ?? 0);
    ctx.phase('done');
  },
});
