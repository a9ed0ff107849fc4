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
 * backlog actually held back (`unbounded-memory`: resident growth per byte of the measured
 * backlog, judged once the backlog is deep enough to tell; a logger declaring `overflow: 'grow'`
 * gets it as the documented fact); nothing is lost silently (`lost-records`).
 *
 * Upstream bug class: an asynchronous destination that buffers without bound behind a slow
 * writer: sonic-boom's unbounded buffer (https://github.com/pinojs/sonic-boom/issues/117), and the
 * opposite trade, a synchronous destination that blocks every caller on the device.
 */

import fc from 'fast-check';
import { chunkDelayMs, injectionPath, skipUnpaceableThreads } from '../harness/sinks/pathology.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';
import { memoryVerdict, readSink, sampleMemory } from '../harness/ledger/sink-check.js';


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
    const meter = sampleMemory(ctx.file, () => ctx.producedSoFar());
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
    meter.stop();
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

    // Memory against the backlog actually held back (see memoryVerdict).
    const contents = readSink(ctx.file, caps.format);
    const lineBytes = contents.lines > 0 ? contents.bytes / contents.lines : maxPayload;
    const memory = memoryVerdict(meter.samples, { lineBytes, droppedBytes: outcome.droppedReported * lineBytes, capabilities: caps, sink: 'slow sink' });
    if (memory.finding !== undefined) ctx.finding(memory.finding);
    ctx.phase(memory.summary);
    if (outcome.relay !== undefined) ctx.phase(`relay drained ${outcome.relay.bytes} bytes in ${outcome.relay.reads} reads`);
    ctx.phase('done');
  },
});
