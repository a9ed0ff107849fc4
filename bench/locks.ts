/**
 * The instrumented locks' overhead, side by side in one run:
 * - uncontended lock+unlock: a plain Atomics mutex (the baseline), logjam's Mutex outside the
 *   harness, instrumented under a run's sync runtime (adaptive sites, the default), and
 *   instrumented capturing every acquire site (LOGJAM_LOCK_SITES=all);
 * - a nested acquire (one lock held, the lock-order edge check on the path);
 * - contended: two threads hammering one lock, plain against instrumented;
 * - the watchdog's CPU share while it watches a busy board.
 * Target (issue 3): instrumented uncontended lock+unlock at most 1.5x the plain mutex.
 */

import { openSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Bench } from 'tinybench';
import { Board } from '../harness/sync/board.js';
import { EventChannel } from '../harness/sync/channel.js';
import { attachRuntime, createSyncShared, FLAG_SITES, L_FLAGS } from '../harness/sync/runtime.js';
import { Mutex } from '../harness/sync/locks.js';
import { startWatchdog } from '../harness/watchdog/watchdog.js';
import { PlainMutex } from './plain-mutex.js';

const PAIRS = 1000;

export interface LockBenchResults {
  readonly uncontendedNs: Record<string, number>;
  readonly contendedNsPerOp: Record<string, number>;
  /** The watchdog thread's event-loop utilisation: busy share of its wall time. */
  readonly watchdogCpuShare: { readonly quiet: number; readonly twoThreadsContending: number };
  readonly instrumentedRatio: number;
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
  const everySite = Mutex.create('bench.every-site');
  Atomics.or(new Int32Array(everySite.handle.buffer), everySite.handle.index + L_FLAGS, FLAG_SITES);
  const outer = Mutex.create('bench.outer');
  const inner = Mutex.create('bench.inner');

  const bench = new Bench({ time: 500, warmupTime: 100 });
  bench
    .add('plain Atomics mutex (baseline)', () => {
      for (let i = 0; i < PAIRS; i++) {
        plain.lock();
        plain.unlock();
      }
    })
    .add('logjam Mutex, outside the harness', () => {
      for (let i = 0; i < PAIRS; i++) {
        outside.lock();
        outside.unlock();
      }
    })
    .add('logjam Mutex, instrumented (adaptive sites)', () => {
      for (let i = 0; i < PAIRS; i++) {
        instrumented.lock();
        instrumented.unlock();
      }
    })
    .add('logjam Mutex, instrumented, every site captured', () => {
      for (let i = 0; i < PAIRS; i++) {
        everySite.lock();
        everySite.unlock();
      }
    })
    .add('logjam Mutex, instrumented, nested under another', () => {
      outer.lock();
      for (let i = 0; i < PAIRS; i++) {
        inner.lock();
        inner.unlock();
      }
      outer.unlock();
    });
  await bench.run();
  const uncontendedNs: Record<string, number> = {};
  for (const task of bench.tasks) {
    if (task.result.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete: ${task.result.state}`);
    uncontendedNs[task.name] = Math.round(((task.result.period * 1e6) / PAIRS) * 10) / 10;
  }

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

  const base = uncontendedNs['plain Atomics mutex (baseline)'] ?? 1;
  const instrumentedRatio = (uncontendedNs['logjam Mutex, instrumented (adaptive sites)'] ?? 0) / base;
  return { uncontendedNs, contendedNsPerOp, watchdogCpuShare, instrumentedRatio };
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
  const base = r.uncontendedNs['plain Atomics mutex (baseline)'] ?? 1;
  console.table(Object.entries(r.uncontendedNs).map(([task, ns]) => ({ 'uncontended lock+unlock': task, ns: ns.toFixed(1), 'vs plain': `${(ns / base).toFixed(2)}x` })));
  const cbase = r.contendedNsPerOp['plain Atomics mutex, 2 threads'] ?? 1;
  console.table(Object.entries(r.contendedNsPerOp).map(([task, ns]) => ({ contended: task, 'ns/op (wall)': ns.toFixed(1), 'vs plain': `${(ns / cbase).toFixed(2)}x` })));
  console.log(
    `watchdog event-loop utilisation: ${(r.watchdogCpuShare.quiet * 100).toFixed(2)}% quiet, ${(r.watchdogCpuShare.twoThreadsContending * 100).toFixed(2)}% while two threads contend (2 cores, so it queues for a core)`,
  );
  console.log(`instrumented / plain (uncontended): ${r.instrumentedRatio.toFixed(2)}x (target <= 1.5x)`);
}

export function writeLocks(r: LockBenchResults): void {
  writeFileSync('bench-results-locks.json', `${JSON.stringify({ node: process.version, ...r }, null, 2)}\n`);
}
