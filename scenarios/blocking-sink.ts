/**
 * blocking-sink: the sink blocks its writing thread synchronously for a while, as a stalled disk
 * or a full pipe does, while the application's main thread logs.
 *
 * Load: the main thread logs `records` records synchronously (payloads up to `maxPayload`, more
 * than a pipe holds). Pathology: for loggers that write through logjam's sink, the first write
 * blocks its thread for `blockMs`; for loggers that open the sink path, the path is a named pipe
 * whose reader stops for `blockMs` after the first 4 KiB, so the pipe fills and a synchronous
 * `write(2)` blocks for real. Oracle: the block must not reach the caller: a log call that took
 * at least half the injected block is `blocked-caller`, and since it ran on the main thread's
 * event loop, `event-loop-stall` (both with the call, its duration and the thread); the watchdog
 * reports its own view of the stalled loop too. Nothing may be lost.
 *
 * Upstream bug class: a synchronous destination on a pipe whose reader stalls blocks the whole
 * process (pino.destination({ sync: true }) on fd 2: https://github.com/strausmann/mcp-dockhand/issues/210).
 */

import fc from 'fast-check';
import { shutdownFinding } from '../harness/util/deadline.js';
import { injectionPath, skipUnpaceable } from '../harness/sinks/pathology.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'blocking-sink',
  description: "the sink blocks its writing thread (a stalled disk or full pipe) while the main thread logs; reports blocked callers and the stalled event loop with figures",
  failOn: failOn(['blocked-caller', 'event-loop-stall', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'a synchronous destination blocks the process when its pipe fills (https://github.com/strausmann/mcp-dockhand/issues/210)',
  // The block stays well under the watchdog's hang window (3 s by default): a stall, not a hang.
  params: fc.record({
    records: fc.integer({ min: 2000, max: 6000 }),
    maxPayload: fc.integer({ min: 64, max: 512 }),
    blockMs: fc.integer({ min: 600, max: 1800 }),
  }),
  skip: skipUnpaceable,
  async run(ctx, { records, maxPayload, blockMs }) {
    const viaPipe = injectionPath(ctx.adapter.capabilities) === 'paced-pipe';
    ctx.phase('producing');
    const outcome = await ctx.logFromMain({
      records,
      minPayload: 32,
      maxPayload,
      level: 'info',
      ...(viaPipe ? { relay: { stall: { afterBytes: 4096, ms: blockMs } } } : { sink: { stall: { afterWrites: 0, ms: blockMs } } }),
    });
    ctx.phase('closing');
    const closed = await ctx.close(outcome.logger);
    const relay = await outcome.stopRelay?.();
    ctx.produced([outcome.produced], outcome.logger.dropped?.() ?? 0);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    const shutdown = shutdownFinding('The documented shutdown', closed, ctx.spec.closeMs, {}, ' after the sink resumed');
    if (shutdown !== undefined) ctx.finding(shutdown);

    const thresholdMs = blockMs / 2;
    const { slowest, slowCalls, slowMs, slowCallMs } = outcome.calls;
    if (slowest.ms >= thresholdMs) {
      const evidence = {
        thread: 'main',
        producer: 0,
        seq: slowest.seq,
        blockedMs: slowest.ms,
        injectedBlockMs: blockMs,
        thresholdMs,
        slowCalls,
        slowCallMs,
        blockedMsTotal: slowMs,
        injection: viaPipe ? 'named pipe whose reader stopped' : 'sink write blocked its thread',
        ...(relay !== undefined ? { relay } : {}),
      };
      ctx.finding({
        kind: 'blocked-caller',
        severity: 'error',
        message: `The log call for record 0:${slowest.seq} on the main thread blocked ${slowest.ms} ms while the sink was blocked for ${blockMs} ms (${slowCalls} call(s) took ${slowCallMs} ms or more, ${slowMs} ms in all)`,
        evidence,
      });
      ctx.finding({
        kind: 'event-loop-stall',
        severity: 'error',
        message: `The main thread's event loop stood still ${slowest.ms} ms inside one log call (record 0:${slowest.seq}): the logger writes synchronously on the caller's thread`,
        evidence,
      });
    } else {
      ctx.phase(`callers not blocked: the slowest call took ${slowest.ms} ms against a ${blockMs} ms block`);
    }
    ctx.phase('done');
  },
});
