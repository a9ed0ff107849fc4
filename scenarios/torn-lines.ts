/**
 * torn-lines: several writers append records larger than a pipe's atomic write size (PIPE_BUF,
 * 4096 bytes on Linux) to one destination at once: worker threads of one process, each with
 * its own logger, or separate processes, each loading the adapter and configuring its own
 * logger (harness/child/process-producer.ts); the destination is the sink file itself, or a named
 * pipe (mkfifo) that a relay copies byte for byte into the sink file (harness/sinks/fifo-relay.ts).
 *
 * POSIX makes a write of at most PIPE_BUF bytes to a pipe atomic; a larger one may be split
 * and interleaved with other writers' bytes, and a writer that loops over partial writes
 * interleaves by construction. On a local file opened O_APPEND, Linux keeps one write() whole.
 * Oracle: every line is exactly one whole record (`torn-records`, with the byte offsets and
 * the producers whose bytes were spliced), nothing lost or duplicated, no hang or crash.
 *
 * Upstream bug class: log records larger than PIPE_BUF interleaved by concurrent writers to a
 * pipe (https://github.com/apache/httpd/pull/49; https://github.com/Seldaek/monolog/issues/1555).
 */

import { join } from 'node:path';
import fc from 'fast-check';
import { FifoRelay } from '../harness/sinks/fifo-relay.js';
import { defineScenario, failOn, skipWithoutThreads } from '../harness/contract/scenario.js';

/** Linux's PIPE_BUF: every record here is larger. */
export const PIPE_BUF = 4096;

export default defineScenario({
  name: 'torn-lines',
  description: 'threads or processes write records larger than PIPE_BUF to one file or one named pipe; every line must be one whole record',
  failOn: failOn(['torn-records', 'lost-records', 'duplicate-records']),
  lossKind: 'lost-records',
  reproduces: 'records larger than PIPE_BUF interleaved by concurrent writers to one pipe (https://github.com/apache/httpd/pull/49)',
  params: fc.record({
    writers: fc.constantFrom('processes' as const, 'threads' as const),
    sink: fc.constantFrom('pipe' as const, 'file' as const),
    count: fc.integer({ min: 2, max: 4 }),
    records: fc.integer({ min: 1, max: 300 }),
    recordBytes: fc.integer({ min: PIPE_BUF + 1, max: 8 * PIPE_BUF }),
  }),
  skip: (capabilities) =>
    capabilities.tcp === true || capabilities.http === true
      ? `the adapter sends its records over ${capabilities.tcp === true ? 'TCP' : 'HTTP'}, not to a file or a pipe`
      : skipWithoutThreads(capabilities),
  async run(ctx, { writers, sink, count, records, recordBytes }) {
    const relay = sink === 'pipe' ? await FifoRelay.start(join(ctx.spec.dir, 'sink.fifo'), ctx.file) : undefined;
    const load = { records, batch: 8, minPayload: recordBytes, maxPayload: recordBytes, level: 'info' as const, file: relay?.path ?? ctx.file };
    ctx.phase(`producing: ${count} ${writers} to a ${sink}`);
    const outcome = writers === 'processes' ? await ctx.runProcesses({ processes: count, ...load }) : await ctx.runProducers({ threads: count, ...load });
    if (relay !== undefined) {
      ctx.phase('draining the pipe');
      const relayed = await relay.close(ctx.spec.closeMs);
      if (!relayed.drained) {
        ctx.finding({
          kind: 'hang',
          severity: 'error',
          message: `The pipe was not drained within ${ctx.spec.closeMs} ms after every writer finished: a writer still holds bytes it has not written`,
          evidence: { ...relayed },
        });
      }
    }
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
