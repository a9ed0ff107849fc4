/**
 * slow-sink: worker threads log into a sink whose every write takes time and pushes back.
 *
 * Load: `threads` worker threads log `records` records each (payloads up to `maxPayload`).
 * Pathology: for loggers that write through logjam's sink, every write sleeps `delayMs` on the
 * writing thread; for loggers that open the sink path, the path is a named pipe a harness thread
 * drains at `mbPerSec`, so the pipe fills and pushes back as a slow disk or collector does.
 * Oracle: no log call blocks its caller beyond the adapter's declared `callBoundMs`
 * (`blocked-caller`; an adapter that declares none gets the measured figure as an info finding);
 * memory stays within the declared `memoryBoundMb`, or, with none declared, does not track the
 * backlog (`unbounded-memory`, measured as resident-memory growth against the bytes produced but
 * not yet in the sink); nothing is lost silently (`lost-records`).
 *
 * Upstream bug class: an asynchronous destination that buffers without bound behind a slow
 * writer: sonic-boom's unbounded buffer (https://github.com/pinojs/sonic-boom/issues/117), and the
 * opposite trade, a synchronous destination that blocks every caller on the device.
 */

import { statSync } from 'node:fs';
import fc from 'fast-check';
import { chunkDelayMs, injectionPath, skipUnpaceableThreads } from '../harness/sinks/pathology.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { readSink } from '../harness/ledger/sink-check.js';

const MB = 1024 * 1024;
/** With no declared bound: growth tracking a backlog of at least this much is unbounded. */
const BACKLOG_FLOOR_MB = 8;

export default defineScenario({
  name: 'slow-sink',
  description: 'worker threads log into a sink that is slow on every write and pushes back; flags blocked callers and memory that grows with the backlog',
  failOn: failOn(['blocked-caller', 'unbounded-memory', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'sonic-boom buffers without bound behind a slow destination (https://github.com/pinojs/sonic-boom/issues/117)',
  params: fc.record({
    threads: fc.integer({ min: 1, max: 3 }),
    records: fc.integer({ min: 500, max: 10_000 }),
    maxPayload: fc.integer({ min: 64, max: 1024 }),
    delayMs: fc.integer({ min: 1, max: 5 }),
    mbPerSec: fc.integer({ min: 8, max: 32 }),
  }),
  skip: skipUnpaceableThreads,
  async run(ctx, { threads, records, maxPayload, delayMs, mbPerSec }) {
    const caps = ctx.adapter.capabilities;
    const viaPipe = injectionPath(caps) === 'paced-pipe';
    const chunkBytes = 16 * 1024;
    // Memory against backlog, sampled while producers log; the main thread's loop is free.
    const samples: { produced: number; fileBytes: number; rss: number }[] = [];
    const sample = (): void => {
      let fileBytes = 0;
      try {
        fileBytes = statSync(ctx.file).size;
      } catch {
        // not created yet
      }
      samples.push({ produced: ctx.producedSoFar(), fileBytes, rss: process.memoryUsage.rss() });
    };
    const sampler = setInterval(sample, 20);
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 256,
      minPayload: 16,
      maxPayload,
      level: 'info',
      ...(viaPipe ? { relay: { chunkBytes, delayMs: chunkDelayMs(chunkBytes, mbPerSec) } } : { sink: { delayMs } }),
    });
    clearInterval(sampler);
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });

    ctx.phase('checking');
    // Callers: the slowest call of any thread, against the declared bound.
    const calls = outcome.calls ?? [];
    const slowest = [...calls].sort((a, b) => b.slowest.ms - a.slowest.ms)[0];
    if (slowest !== undefined) {
      const bound = caps.callBoundMs;
      const evidence = {
        thread: slowest.thread,
        producer: slowest.producer,
        seq: slowest.slowest.seq,
        ms: slowest.slowest.ms,
        boundMs: bound ?? 'undeclared',
        slowCalls: calls.reduce((n, c) => n + c.slowCalls, 0),
        slowCallMs: slowest.slowCallMs,
        blockedMsTotal: calls.reduce((n, c) => n + c.slowMs, 0),
        pacing: viaPipe ? `named pipe drained at ${mbPerSec} MB/s` : `${delayMs} ms per write`,
      };
      if (bound !== undefined && slowest.slowest.ms > bound) {
        ctx.finding({
          kind: 'blocked-caller',
          severity: 'error',
          message: `A log call on ${slowest.thread} (record ${slowest.producer}:${slowest.slowest.seq}) blocked its caller ${slowest.slowest.ms} ms behind the slow sink, beyond the declared bound of ${bound} ms`,
          evidence,
        });
      } else if (bound === undefined && slowest.slowest.ms >= slowest.slowCallMs) {
        ctx.finding({
          kind: 'blocked-caller',
          severity: 'info',
          message: `The adapter declares no call bound; measured: the slowest log call (${slowest.thread}, record ${slowest.producer}:${slowest.slowest.seq}) took ${slowest.slowest.ms} ms, ${evidence.slowCalls} call(s) took ${slowest.slowCallMs} ms or more`,
          evidence,
        });
      }
    }

    // Memory: resident growth from the first sample with records logged to the peak, against
    // the backlog (bytes produced but neither in the sink file nor reported dropped).
    const contents = readSink(ctx.file, caps.format);
    const delivered = [...contents.delivered.values()].reduce((n, s) => n + s.size, 0);
    const lineBytes = delivered > 0 ? contents.bytes / Math.max(1, contents.lines) : maxPayload;
    const base = samples.find((s) => s.produced > 0);
    const peak = samples.reduce<(typeof samples)[number] | undefined>((p, s) => (p === undefined || s.rss > p.rss ? s : p), undefined);
    // The backlog peaks before the memory does (memory is not handed back at once): compare the
    // highest backlog with the highest growth.
    const droppedBytes = outcome.droppedReported * lineBytes;
    const backlogOf = (s: (typeof samples)[number]): number => Math.max(0, s.produced * lineBytes - s.fileBytes - droppedBytes);
    const deepest = samples.reduce<(typeof samples)[number] | undefined>((p, s) => (p === undefined || backlogOf(s) > backlogOf(p) ? s : p), undefined);
    if (base !== undefined && peak !== undefined && deepest !== undefined) {
      const growthMb = Math.max(0, peak.rss - base.rss) / MB;
      const backlogMb = backlogOf(deepest) / MB;
      const declared = caps.memoryBoundMb;
      const unbounded = declared !== undefined ? growthMb > declared : backlogMb >= BACKLOG_FLOOR_MB && growthMb >= 0.5 * backlogMb;
      const round = (n: number): number => Math.round(n * 10) / 10;
      const evidence = {
        rssGrowthMb: round(growthMb),
        rssBaseMb: round(base.rss / MB),
        rssPeakMb: round(peak.rss / MB),
        backlogMbAtDeepest: round(backlogMb),
        backlogRecordsAtDeepest: Math.round((backlogMb * MB) / lineBytes),
        bytesPerBacklogRecord: backlogMb > 0 ? Math.round((growthMb * MB) / ((backlogMb * MB) / lineBytes)) : 0,
        lineBytes: Math.round(lineBytes),
        boundMb: declared ?? `undeclared: growth of at least half a backlog of ${BACKLOG_FLOOR_MB} MB or more`,
        samples: samples.length,
      };
      if (unbounded) {
        ctx.finding({
          kind: 'unbounded-memory',
          severity: 'error',
          message: `Resident memory grew ${evidence.rssGrowthMb} MB while up to ${evidence.backlogRecordsAtDeepest} records (${evidence.backlogMbAtDeepest} MB) waited for the slow sink: the logger buffers the backlog in memory${declared !== undefined ? `, beyond its declared bound of ${declared} MB` : ''}`,
          evidence,
        });
      } else {
        ctx.phase(`memory bounded: grew ${evidence.rssGrowthMb} MB for a backlog of up to ${evidence.backlogMbAtDeepest} MB`);
      }
    }
    if (outcome.relay !== undefined) ctx.phase(`relay drained ${outcome.relay.bytes} bytes in ${outcome.relay.reads} reads`);
    ctx.phase('done');
  },
});
