/**
 * existing-sink: the sink exists before the run, as a service's log file does when it restarts:
 * it already holds records (up to 1.5 MiB, more than a rotating adapter's 1 MiB size limit, so
 * rotation can trigger on open) and its modification time is up to 400 days old (time-based
 * rotation looks at it). The loggers must append after what is there and keep it.
 *
 * Load: 1-3 threads (one for an adapter with `threads: false`) log up to 2 000 records each into the file that exists. The records already
 * there are whole records of their own producer (one past the threads), written in the
 * adapter's format before any logger is created. Pathology: none but the file's past.
 *
 * Oracle: every record already in the file is still there, in its place (a logger that truncates
 * or overwrites it on open loses them: `lost-records`, with the range), and every new record
 * arrives after them; rotated files count, in the order the adapter lists them (`sinkFiles`).
 * Left out on purpose: a file whose last line is partial (no newline). Every logger that appends
 * with O_APPEND joins its first record to that fragment, as any program appending to the file
 * would; it is a property of the file, not a defect of the logger, and flagging it would be a
 * false positive.
 *
 * Upstream bug class: a logger that truncates or overwrites an existing log file when it opens
 * it, so a restart erases the log of the crash before it (https://github.com/kubernetes/klog/pull/49,
 * https://github.com/stellar/stellar-core/issues/2868), or rotates it away on open and loses it.
 */

import { utimesSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { encodeRecord } from '../harness/ledger/record.js';

export default defineScenario({
  name: 'existing-sink',
  description: 'log into a sink file that already holds records and has an old modification time; they must be kept, the new ones appended',
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a logger that truncates or overwrites an existing log file on open, erasing the log of the crash before a restart (https://github.com/kubernetes/klog/pull/49)',
  params: fc.record({
    existingKiB: fc.integer({ min: 1, max: 1536 }),
    ageDays: fc.integer({ min: 0, max: 400 }),
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 1, max: 2000 }),
  }),
  skip: (capabilities) =>
    capabilities.tcp === true || capabilities.http === true
      ? 'the adapter does not open a file (its collector appends to the sink)'
      : capabilities.pathSink === false && capabilities.harnessSink !== true
        ? 'the adapter does not open the sink path itself (pathSink)'
        : undefined,
  async run(ctx, { existingKiB, ageDays, threads: asked, records }) {
    // A logger that cannot run one per thread (the rotating ones, which share one file) runs one.
    const threads = ctx.adapter.capabilities.threads === false ? 1 : asked;
    // The records already there belong to a producer no thread is: one past the threads.
    const past = threads;
    const payload = 'x'.repeat(200);
    const lines: string[] = [];
    let bytes = 0;
    for (let seq = 0; bytes < existingKiB * 1024; seq++) {
      const marker = encodeRecord(past, seq, payload);
      const line = ctx.adapter.capabilities.format === 'ndjson' ? `${JSON.stringify({ level: 'info', msg: marker })}\n` : `INFO ${marker}\n`;
      lines.push(line);
      bytes += line.length;
    }
    writeFileSync(ctx.file, lines.join(''));
    const then = new Date(Date.now() - ageDays * 86_400_000);
    utimesSync(ctx.file, then, then);
    ctx.phase(`the sink holds ${lines.length} records (${bytes} bytes), last modified ${ageDays} days ago`);
    const outcome = await ctx.runProducers({ threads, records, batch: 64, minPayload: 16, maxPayload: 160, level: 'info' });
    ctx.produced([...outcome.produced, lines.length], outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
