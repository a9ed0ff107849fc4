/**
 * lock-inversion: the seeds' deadlock, as a scenario. Producer threads hold a shared
 * instrumented lock around their log calls, as Python code holds the interpreter lock (GIL),
 * and the sink takes the same lock around each write, as a Python handler called from a
 * native logger's thread must. Every few writes the sink fails, after writing, so the
 * logger's error paths run too.
 *
 * A logger that holds its own lock while calling sink code then has the lock order
 * own-lock → interpreter on its writing thread and interpreter → own-lock on the callers:
 * LogXide's registry mutex against the GIL (seeds: "The Deadlock War Story"), hanging about 30%
 * of CI runs. The watchdog reports the lock-order cycle on every run whether or not this run
 * deadlocked, and the deadlock itself when it forms.
 *
 * Producers hold the lock around every other call only: code releases an interpreter lock in
 * native sections, and a lock held around every call would be a common guard that makes any
 * ordering inside it safe.
 */

import fc from 'fast-check';
import { defineScenario, failOn, skipWithoutThreads } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'lock-inversion',
  description: 'producers hold an interpreter-like lock while logging, the sink takes it per write and fails every k-th; flags lock-order cycles and deadlocks',
  failOn: failOn(['lock-order-cycle', 'lost-records', 'duplicate-records', 'torn-records']),
  lossKind: 'lost-records',
  reproduces: 'LogXide: a logger mutex held across a call that takes the GIL (seeds: "The Deadlock War Story")',
  // Three threads at least: a cycle over three lock classes needs three threads to deadlock.
  params: fc.record({
    threads: fc.integer({ min: 3, max: 4 }),
    records: fc.integer({ min: 1, max: 2000 }),
    holdEvery: fc.integer({ min: 2, max: 4 }),
    failEvery: fc.integer({ min: 2, max: 100 }),
  }),
  skip: (capabilities) =>
    capabilities.harnessSink !== true
      ? 'the adapter does not write through logjam\'s createSink, so its sink cannot take the interpreter lock'
      : skipWithoutThreads(capabilities),
  async run(ctx, { threads, records, holdEvery, failEvery }) {
    const interpreter = ctx.createLock('interpreter', { reentrant: true });
    ctx.phase('producing');
    const outcome = await ctx.runProducers({
      threads,
      records,
      batch: 64,
      minPayload: 16,
      maxPayload: 120,
      level: 'info',
      holdLock: interpreter,
      holdEvery,
      sink: { lock: interpreter, failEvery, failWhen: 'after' },
    });
    ctx.produced(outcome.produced, outcome.droppedReported);
    ctx.metrics({ loadMs: Math.round(outcome.wallMs), callLatencyUs: outcome.latency });
    ctx.phase('done');
  },
});
