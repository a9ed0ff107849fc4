/**
 * burst-overflow: bursts of mixed severities far above what the logger buffers, into a slow
 * sink, with quiet between bursts.
 *
 * Load: `threads` worker threads log `records` records each in bursts of `burst` back to back,
 * `pauseMs` apart; levels mixed (DEBUG/INFO mostly, WARN, ERROR, FATAL). The logger is asked to
 * bound its buffer to `bufferKiB` where it has one, far below one burst. Pathology: the sink is
 * slow (`delayMs` per write through logjam's sink; a named pipe drained at 4 MB/s otherwise).
 * Oracle: drops are counted (the logger's reported drops account for every missing record, else
 * `lost-records`), and ERROR and FATAL survive: an ERROR/FATAL missing while a DEBUG/INFO record
 * of the same window was kept is a `severity-inversion`.
 *
 * Upstream bug class: a bounded log buffer that, when full, refuses or drops whatever comes
 * next whatever its level ("Buffer is full, unable to log": https://github.com/rapid7/le_node/issues/63).
 */

import fc from 'fast-check';
import type { LevelMix } from '../harness/contract/level-mix.js';
import { chunkDelayMs, injectionPath, skipUnpaceableThreads } from '../harness/sinks/pathology.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { missingHigh, overflowFindings, readSink } from '../harness/ledger/sink-check.js';

export const BURST_MIX: LevelMix = { debug: 35, info: 45, warn: 10, error: 8, fatal: 2 };

export default defineScenario({
  name: 'burst-overflow',
  description: 'bursts of mixed severities far above the buffer into a slow sink; every drop counted, ERROR and FATAL survive',
  failOn: failOn(['lost-records', 'severity-inversion', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a full buffer drops or refuses the next record whatever its level (https://github.com/rapid7/le_node/issues/63)',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 1000, max: 10_000 }),
    burst: fc.integer({ min: 200, max: 4000 }),
    pauseMs: fc.integer({ min: 5, max: 100 }),
    maxPayload: fc.integer({ min: 32, max: 512 }),
    bufferKiB: fc.integer({ min: 16, max: 256 }),
    delayMs: fc.integer({ min: 1, max: 10 }),
  }),
  skip: skipUnpaceableThreads,
  async run(ctx, { threads, records, burst, pauseMs, maxPayload, bufferKiB, delayMs }) {
    const caps = ctx.adapter.capabilities;
    const viaPipe = injectionPath(caps) === 'paced-pipe';
    const chunkBytes = 16 * 1024;
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: burst,
      pauseMs,
      minPayload: 16,
      maxPayload,
      level: 'info',
      mix: BURST_MIX,
      bufferBytes: bufferKiB * 1024,
      ...(viaPipe ? { relay: { chunkBytes, delayMs: chunkDelayMs(chunkBytes, 4) } } : { sink: { delayMs } }),
    });
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    const contents = readSink(ctx.file, caps.format);
    // Each declared policy is held to its own promise; with none declared, ERROR and FATAL must
    // survive: dropping one while a lower record of the window was kept is a finding here. A
    // window lost whole (every record of it, whatever its level: a tail cut off at shutdown)
    // sheds nothing by severity; that loss is the ledger's to report, not an inversion.
    for (const finding of overflowFindings(contents, outcome.produced, BURST_MIX, caps.overflow, outcome.droppedReported)) {
      const selective = finding.kind === 'severity-inversion' && Number(finding.evidence['lowerDropped']) < Number(finding.evidence['lower']);
      ctx.finding(caps.overflow === undefined && selective ? { ...finding, severity: 'error' } : finding);
    }
    const high = missingHigh(contents, outcome.produced, BURST_MIX);
    ctx.phase(`${outcome.droppedReported} drops reported; ${high.count} ERROR/FATAL missing`);
    ctx.phase('done');
  },
});
