/**
 * The instrumented locks' overhead, side by side in one run:
 * - uncontended lock+unlock: a plain Atomics mutex (the baseline), logjam's Mutex outside the
 *   harness, instrumented under a run's sync runtime (adaptive sites, the default), and
 *   instrumented capturing every acquire site (LOGJAM_LOCK_SITES=all);
 * - a nested acquire (one lock held, the lock-order edge check on the path);
 * - the same in a thread that has a Condition, which keeps the cross-release history (one more
 *   store per acquire), measured after the rest against the baseline again;
 * - contended: two threads hammering one lock, plain against instrumented;
 * - the watchdog's CPU share while it watches a busy board.
 * Target (issue 3): instrumented uncontended lock+unlock at most 1.5x the plain mutex.
 */

import { openSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Board } from '../harness/sync/board.js';
import { EventChannel } from '../harness/sync/channel.js';
import { attachRuntime, createSyncShared, FLAG_SITES, L_FLAGS } from '../harness/sync/runtime.js';
import { Condition, Mutex } from '../harness/sync/locks.js';
import { startWatchdog } from '../harness/watchdog/watchdog.js';
import { PlainMutex } from './plain-mutex.js';

const PAIRS = 20_000;
const ROUNDS = 40;
const BASE = 'plain Atomics mutex (baseline)';
const INSTRUMENTED = 'logjam Mutex, instrumented (adaptive sites)';
const NESTED = 'logjam Mutex, instrumented, nested under another';
const TRACKED = 'logjam Mutex, instrumented, in a thread that has a Condition';

/**
 * Runs every task once per round, round after round, and answers ns per lock+unlock: the best
 * round (the cost itself, with the least of other processes' interference: the figure the
 * ratios use) and the median round. Interleaved, so load that comes and goes hits every task
 * alike, where one block per task would hand a burst of load to whichever ran then.
 */
function interleaved(tasks: Record<string, () => void>, rounds = ROUNDS, pairs = PAIRS): { best: Record<string, number>; median: Record<string, number> } {
  const samples: Record<string, number[]> = {};
  for (let round = -3; round < rounds; round++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const started = performance.now();
      fn();
      const ns = ((performance.now() - started) * 1e6) / pairs;
      // The first rounds warm the JIT up.
      if (round >= 0) (samples[name] ??= []).push(ns);
    }
  }
  const best: Record<string, number> = {};
  const median: Record<string, number> = {};
  for (const [name, values] of Object.entries(samples)) {
    values.sort((x, y) => x - y);
    best[name] = Math.round((values[0] as number) * 10) / 10;
    median[name] = Math.round((values[values.length >> 1] as number) * 10) / 10;
  }
  return { best, median };
}

export interface LockBenchResults {
  /** Best of ROUNDS interleaved rounds, ns per lock+unlock. */
  readonly uncontendedNs: Record<string, number>;
  /** Median of the same rounds. */
  readonly uncontendedMedianNs: Record<string, number>;
  readonly contendedNsPerOp: Record<string, number>;
  /** The watchdog thread's event-loop utilisation: busy share of its wall time. */
  readonly watchdogCpuShare: { readonly quiet: number; readonly twoThreadsContending: number };
  readonly instrumentedRatio: number;
  readonly nestedRatio: number;
  /** The instrumented lock in a thread that has a Condition, against the baseline of its own round set. */
  readonly conditionRatio: number;
}

export async function benchLocks(): Promise<LockBenchResults> {
  // Plain locks first: made before a runtime exists, they stay plain for the whole run.
  const plain = new PlainMutex();
  const outside = Mutex.create('bench.outside');

  const board = Board.create();
  const channel = new EventChannel({ fd: openSync('/dev/null', 'w'), lock: new SharedArrayBuffer(4), startedAt: Date.now() });
  const shared = createSyncShared(board, channel.handle);
  attachRuntime(shared, 0, 'bench-main');
  const instrumented = Mutex.create('bench.instrumented');
  const everySiteHandle = Mutex.create('bench.every-site').handle;
  // A lock reads its flags when it is made: set the flag, then take a view of the lock.
  Atomics.or(new Int32Array(everySiteHandle.buffer), everySiteHandle.index + L_FLAGS, FLAG_SITES);
  const everySite = Mutex.from(everySiteHandle);
  const outer = Mutex.create('bench.outer');
  const inner = Mutex.create('bench.inner');

  const tasks: Record<string, () => void> = {
    'plain Atomics mutex (baseline)': () => {
      for (let i = 0; i < PAIRS; i++) {
        plain.lock();
        plain.unlock();
      }
    },
    'logjam Mutex, outside the harness': () => {
      for (let i = 0; i < PAIRS; i++) {
        outside.lock();
        outside.unlock();
      }
    },
    [INSTRUMENTED]: () => {
      for (let i = 0; i < PAIRS; i++) {
        instrumented.lock();
        instrumented.unlock();
      }
    },
    [NESTED]: () => {
      outer.lock();
      for (let i = 0; i < PAIRS; i++) {
        inner.lock();
        inner.unlock();
      }
      outer.unlock();
    },
  };
  const rounds = interleaved(tasks);
  // From here this thread keeps the cross-release history: a round set of its own, with the baseline again.
  Condition.create('bench.condition');
  const tracked = interleaved({ [BASE]: tasks[BASE] as () => void, [TRACKED]: tasks[INSTRUMENTED] as () => void });
  const conditionRatio = (tracked.best[TRACKED] ?? 0) / (tracked.best[BASE] ?? 1);
  // Capturing a stack per acquire costs microseconds: a few rounds of its own are plenty.
  const everySiteNs = interleaved({
    'logjam Mutex, instrumented, every site captured': () => {
      for (let i = 0; i < PAIRS / 100; i++) {
        everySite.lock();
        everySite.unlock();
      }
    },
  }, 5, PAIRS / 100);
  const uncontendedNs: Record<string, number> = { ...rounds.best, [TRACKED]: tracked.best[TRACKED] ?? 0, ...everySiteNs.best };
  const uncontendedMedianNs: Record<string, number> = { ...rounds.median, [TRACKED]: tracked.median[TRACKED] ?? 0, ...everySiteNs.median };

  const contendedNsPerOp = {
    'plain Atomics mutex, 2 threads': await contended('plain', plain.buffer),
    'logjam Mutex instrumented, 2 threads': await contended('instrumented', instrumented.handle),
  };

  const watchdog = startWatchdog(shared, channel, { hangMs: 60_000 });
  await new Promise((r) => setTimeout(r, 200));
  const quietFrom = watchdog.performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, 1000));
  const quiet = watchdog.performance.eventLoopUtilization(quietFrom).utilization;
  const busyFrom = watchdog.performance.eventLoopUtilization();
  await contended('instrumented', instrumented.handle);
  // On two cores, three busy threads: time the watchdog waits for a core counts as busy here.
  const twoThreadsContending = watchdog.performance.eventLoopUtilization(busyFrom).utilization;
  const watchdogCpuShare = { quiet, twoThreadsContending };
  await watchdog.terminate();

  const base = uncontendedNs[BASE] ?? 1;
  const instrumentedRatio = (uncontendedNs[INSTRUMENTED] ?? 0) / base;
  const nestedRatio = (uncontendedNs[NESTED] ?? 0) / base;
  return { uncontendedNs, uncontendedMedianNs, contendedNsPerOp, watchdogCpuShare, instrumentedRatio, nestedRatio, conditionRatio };
}

const OPS = 200_000;

/** Two threads, OPS lock+unlock pairs each around a tiny critical section: wall ns per pair. */
async function contended(kind: 'plain' | 'instrumented', lock: unknown): Promise<number> {
  const counter = new SharedArrayBuffer(4);
  const gate = new SharedArrayBuffer(8);
  const workers = [0, 1].map(
    () => new Worker(new URL('./locks-worker.js', import.meta.url), { workerData: { kind, lock, counter, gate, ops: OPS } }),
  );
  const gateWords = new Int32Array(gate);
  const until = Date.now() + 10_000;
  while (Atomics.load(gateWords, 0) < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  const started = performance.now();
  Atomics.store(gateWords, 1, 1);
  Atomics.notify(gateWords, 1);
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.on('exit', resolve).on('error', reject))));
  const ms = performance.now() - started;
  if (new Int32Array(counter)[0] !== 2 * OPS) throw new Error(`contended ${kind}: lost increments, the lock is broken`);
  return Math.round(((ms * 1e6) / (2 * OPS)) * 10) / 10;
}

export function printLocks(r: LockBenchResults): void {
  const base = r.uncontendedNs[BASE] ?? 1;
  const mbase = r.uncontendedMedianNs[BASE] ?? 1;
  console.table(
    Object.entries(r.uncontendedNs).map(([task, ns]) => {
      const median = r.uncontendedMedianNs[task] ?? ns;
      return { 'uncontended lock+unlock': task, 'ns (best round)': ns.toFixed(1), 'vs plain': `${(ns / base).toFixed(2)}x`, 'ns (median round)': median.toFixed(1), 'vs plain (median)': `${(median / mbase).toFixed(2)}x` };
    }),
  );
  const cbase = r.contendedNsPerOp['plain Atomics mutex, 2 threads'] ?? 1;
  console.table(Object.entries(r.contendedNsPerOp).map(([task, ns]) => ({ contended: task, 'ns/op (wall)': ns.toFixed(1), 'vs plain': `${(ns / cbase).toFixed(2)}x` })));
  console.log(
    `watchdog event-loop utilisation: ${(r.watchdogCpuShare.quiet * 100).toFixed(2)}% quiet, ${(r.watchdogCpuShare.twoThreadsContending * 100).toFixed(2)}% while two threads contend (2 cores, so it queues for a core)`,
  );
  console.log(
    `instrumented / plain (uncontended): ${r.instrumentedRatio.toFixed(2)}x (target <= 1.5x); nested: ${r.nestedRatio.toFixed(2)}x (target <= 1.7x); in a thread that has a Condition: ${r.conditionRatio.toFixed(2)}x (its own baseline)`,
  );
}

export function writeLocks(r: LockBenchResults): void {
  writeFileSync('bench-results-locks.json', `${JSON.stringify({ node: process.version, ...r }, null, 2)}\n`);
}
