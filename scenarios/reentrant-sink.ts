/**
 * reentrant-sink: the sink logs from inside its own write, as a sink that reports what it wrote
 * (a metrics line, a debug trace of its buffer) through the logger it serves.
 *
 * Load: `threads` worker threads (one for an adapter with `threads: false`) log `records` records
 * each. Pathology: after every write that carried a record of the run, the sink logs one record
 * (`lj-reentry:n`) through the same logger, from inside the write: logjam's sink for loggers
 * that write through it, the destination's own 'write' event for others (capability `reentrantSink`). A write that carried
 * only reentrant records logs nothing: re-logging for it would be a loop of the hook's own
 * making on any logger that writes the reentrant record in a write of its own (issue 13).
 * The harness stops the chain at a nesting depth of `depthCap` and at `limit` reentrant records
 * in all, so an unbounded logger is reported, not crashed.
 * Oracle: no unbounded recursion (`recursion`: nesting grew to the depth cap, or the logger kept
 * coming back with writes beyond one reentrant record per outer record, the total cap), no
 * deadlock or hang, no stack overflow (an error out of the log call is `unhandled-error`), and
 * every outer record arrives (`lost-records`; reentrant lines are counted apart by the ledger).
 *
 * Upstream bug class: logging from inside the logging path recurses until the stack overflows
 * (https://github.com/matrix-org/synapse/pull/8268, https://github.com/tarantool/tarantool/issues/11840).
 */

import fc from 'fast-check';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { SinkStats } from '../harness/sinks/sinks.js';

export default defineScenario({
  name: 'reentrant-sink',
  description: 'the sink logs from inside its own write; no unbounded recursion, no deadlock or stack overflow, every outer record arrives',
  failOn: failOn(['recursion', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'logging from inside the logging path recurses without bound (https://github.com/matrix-org/synapse/pull/8268)',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 50, max: 3000 }),
    depthCap: fc.integer({ min: 4, max: 32 }),
  }),
  skip: (capabilities) =>
    capabilities.harnessSink !== true && capabilities.reentrantSink !== true
      ? 'the adapter neither writes through logjam\'s createSink nor hooks a reentrant sink (capabilities.reentrantSink), so its sink cannot log from inside a write'
      : undefined,
  async run(ctx, { threads: asked, records, depthCap }) {
    // A logger that cannot run one per thread (the rotating ones, which share one file) runs one.
    const threads = ctx.adapter.capabilities.threads === false ? 1 : asked;
    const stats = SinkStats.create();
    // The hook logs at most one reentrant record per write that carried outer records, so at
    // most one per outer record: more is out of a bounded logger's reach and stops a loop early.
    const limit = threads * records + 64;
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 32,
      minPayload: 16,
      maxPayload: 120,
      level: 'info',
      sink: { reenter: { depthCap, limit }, stats: stats.buffer },
    });
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    const s = stats.read();
    const evidence = {
      maxDepth: s.maxDepth,
      depthCap,
      depthCapped: s.depthCapped,
      reentries: s.reentries,
      limit,
      limitHit: s.limitHit,
      outerRecords: threads * records,
      ...(s.writes > 0 ? { harnessSinkWrites: s.writes } : {}),
    };
    if (s.depthCapped > 0) {
      ctx.finding({
        kind: 'recursion',
        severity: 'error',
        message: `A record logged from inside the sink's write came straight back into the sink: nesting reached the harness's cap of ${depthCap} ${s.depthCapped} time(s) (${s.reentries} reentrant records); without the cap this recursion overflows the stack`,
        evidence,
      });
    } else if (s.limitHit > 0) {
      ctx.finding({
        kind: 'recursion',
        severity: 'error',
        message: `Records logged from inside the sink's write fed back into the sink without end: ${s.reentries} reentrant records reached the harness's cap of ${limit} (for ${threads * records} outer records); without the cap the logger never drains`,
        evidence,
      });
    }
    ctx.phase(`reentry: ${s.reentries} reentrant records, max depth ${s.maxDepth}`);
    ctx.phase('done');
  },
});
