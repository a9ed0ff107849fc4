/**
 * stalled-sink: the sink stops draining for a while, then resumes, while worker threads log
 * records of mixed severities.
 *
 * Load: `threads` worker threads log `records` records each, levels mixed (mostly DEBUG and
 * INFO, some WARN, ERROR and FATAL), in bursts of 256. The logger is asked to bound its buffer
 * to `bufferKiB` where it has one (the reference logger's queue), so the stall overflows it.
 * Pathology: after the first writes the sink stops for `stallMs` (logjam's sink blocks its
 * writing thread; a named pipe's reader stops reading), then drains normally again.
 * Oracle: no hang, no silent loss (`lost-records`: every missing record must be in the logger's
 * own drop count), recovery (the sink receives records after the stall), and each declared
 * overflow policy held to its own promise (`overflowFindings`: `drop-lowest-first` to no
 * `severity-inversion`, `drop-oldest`/`drop-newest` to keeping the newest/oldest records,
 * `block`/`grow` to dropping nothing). Adapters without a declared policy get the severity
 * check as an info finding. Memory is judged as in slow-sink, against the backlog held while the
 * sink stood still (`unbounded-memory`).
 *
 * Upstream bug class: a collector that stops reading (a logstash server down for hours) and a
 * logger that buffers or drops blindly meanwhile (https://github.com/chris-rock/bunyan-logstash-tcp/issues/17).
 */

import fc from 'fast-check';
import type { LevelMix } from '../harness/contract/level-mix.js';
import { injectionPath, skipUnpaceableThreads } from '../harness/sinks/pathology.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { memoryVerdict, overflowFindings, readSink, sampleMemory } from '../harness/ledger/sink-check.js';
import { SinkStats } from '../harness/sinks/sinks.js';

export const STALL_MIX: LevelMix = { debug: 30, info: 50, warn: 10, error: 8, fatal: 2 };

export default defineScenario({
  name: 'stalled-sink',
  description: 'the sink stops draining for a while, then resumes, under mixed severities; no hang, no silent loss, recovery, no ERROR dropped before lower records',
  failOn: failOn(['lost-records', 'severity-inversion', 'unbounded-memory', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a destination that stops draining; buffering or dropping blindly meanwhile (https://github.com/chris-rock/bunyan-logstash-tcp/issues/17)',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 1000, max: 8000 }),
    maxPayload: fc.integer({ min: 32, max: 512 }),
    stallMs: fc.integer({ min: 200, max: 1500 }),
    bufferKiB: fc.integer({ min: 64, max: 1024 }),
  }),
  skip: skipUnpaceableThreads,
  async run(ctx, { threads, records, maxPayload, stallMs, bufferKiB }) {
    const caps = ctx.adapter.capabilities;
    const viaPipe = injectionPath(caps) === 'paced-pipe';
    const stats = SinkStats.create();
    const meter = sampleMemory(ctx.file, () => ctx.producedSoFar());
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 256,
      minPayload: 16,
      maxPayload,
      level: 'info',
      mix: STALL_MIX,
      bufferBytes: bufferKiB * 1024,
      ...(viaPipe ? { relay: { stall: { afterBytes: 4096, ms: stallMs } } } : { sink: { stall: { afterWrites: 1, ms: stallMs }, stats: stats.buffer } }),
    });
    meter.stop();
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    const contents = readSink(ctx.file, caps.format);
    // Memory, as in slow-sink: what the logger held while the sink stood still (issue 13).
    const lineBytes = contents.lines > 0 ? contents.bytes / contents.lines : maxPayload;
    const memory = memoryVerdict(meter.samples, { lineBytes, droppedBytes: outcome.droppedReported * lineBytes, capabilities: caps, sink: 'stalled sink' });
    if (memory.finding !== undefined) ctx.finding(memory.finding);
    ctx.phase(memory.summary);
    for (const finding of overflowFindings(contents, outcome.produced, STALL_MIX, caps.overflow, outcome.droppedReported)) ctx.finding(finding);
    // Recovery: the sink stalled, and received records after it resumed.
    const sink = stats.read();
    const stalled = viaPipe ? outcome.relay?.stalledAtMs !== undefined : sink.stalls > 0;
    const recovered = viaPipe ? (outcome.relay?.bytesAfterResume ?? 0) > 0 : sink.writes > 2;
    const delivered = [...contents.delivered.values()].reduce((n, s) => n + s.size, 0);
    const produced = outcome.produced.reduce((a, b) => a + b, 0);
    if (stalled && !recovered && delivered + outcome.droppedReported < produced) {
      ctx.finding({
        kind: 'hang',
        severity: 'error',
        message: `The sink received nothing after its ${stallMs} ms stall ended, with ${produced - delivered - outcome.droppedReported} records still owed: the logger did not recover`,
        evidence: { stallMs, produced, delivered, droppedReported: outcome.droppedReported, ...(outcome.relay !== undefined ? { relay: outcome.relay } : { sink }) },
      });
    }
    ctx.phase(`stall of ${stallMs} ms ${stalled ? (recovered ? 'then recovery' : 'without recovery') : 'never reached'}; ${outcome.droppedReported} drops reported`);
    ctx.phase('done');
  },
});
