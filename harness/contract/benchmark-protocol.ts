/**
 * Messages of a benchmark run, defined once for both sides: host → child (the spec, as an
 * argument), worker → child (postMessage), child → host (one JSON line on fd 3).
 */

import type { LatencySummary } from './result.js';

/** The seeds' table: a plain message, a message with fields, an error with its stack. */
export const BENCH_SHAPES = ['simple', 'structured', 'error'] as const;
export type BenchShape = (typeof BENCH_SHAPES)[number];

export interface BenchSpec {
  readonly adapterUrl: string;
  readonly shape: BenchShape;
  readonly threads: number;
  /** Records made per producer thread: all are logged, unless `minLoggingMs` stops a thread sooner. */
  readonly records: number;
  /** Each thread stops once it has logged for this long (a time-sized iteration); unset: all `records`. */
  readonly minLoggingMs?: number;
  readonly dir: string;
}

export interface BenchWorkerData {
  readonly adapterUrl: string;
  readonly shape: BenchShape;
  readonly producer: number;
  readonly records: number;
  readonly minLoggingMs?: number;
  readonly file: string;
  readonly gate: SharedArrayBuffer;
}

export type BenchWorkerMessage =
  | { readonly type: 'ready' }
  /** `loggedAt`: when the thread's last call returned, before its logger closed (epoch ms, performance clock). */
  | { readonly type: 'done'; readonly histogram: string; readonly loggedAt: number; readonly logged: number }
  | { readonly type: 'error'; readonly message: string };

/**
 * One iteration's measurements. Every span starts when the producers' gate opens (the first
 * call); the logger's construction and the process's start are outside all of them.
 */
export interface BenchSample {
  readonly produced: number;
  /** Records found in the sink file after every logger closed. */
  readonly delivered: number;
  /** Gate open to the last producer's last call returned: the logging phase. */
  readonly loggingMs: number;
  /**
   * Gate open to the last write into the sink file (the file's mtime, read once every logger
   * closed): the time the logger took to deliver what it delivered. Teardown after the last
   * write (threads joined, files closed) is not in it; a backlog drained at close is.
   */
  readonly deliveredMs: number;
  /** Delivered records per second over `deliveredMs`: the logger's delivered throughput. */
  readonly deliveredPerSec: number;
  /** Last call returned to every logger closed (producers' and process-wide): what an exit waits for. */
  readonly shutdownMs: number;
  /** Gate open to every logger closed. */
  readonly wallMs: number;
  /** CPU time of the whole process (every thread) from the gate to the last close, per delivered record, in ns. */
  readonly cpuNsPerRecord: number;
  readonly callLatencyUs: LatencySummary;
  readonly peakRssMb: number;
  /** The Node process's event-loop delay; absent for a Python adapter (no event loop between its calls). */
  readonly eventLoopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The Node release the iteration's process ran on, as it reported itself (`--node` chooses it). */
  readonly node?: string;
}

/** A figure over a case's iterations: a reader tells a difference from noise by whether spreads overlap. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The figures `compare` ranks and shows, each as its spread over the iterations. */
export const SPREAD_FIGURES = ['deliveredPerSec', 'shutdownMs', 'cpuNsPerRecord', 'loggingMs'] as const;
export type SpreadFigure = (typeof SPREAD_FIGURES)[number];

export type BenchChildMessage =
  | { readonly type: 'result'; readonly sample: BenchSample }
  | { readonly type: 'error'; readonly message: string }
  /** The adapter cannot run here (a Python adapter whose logger is not installed). */
  | { readonly type: 'skip'; readonly reason: string };

export interface BenchmarkResult {
  readonly adapter: string;
  readonly shape: BenchShape;
  readonly threads: number;
  /**
   * Records made per producer thread in every iteration: twice what the calibrated rate logs in
   * `minLoggingMs` (each thread stops at that time; the samples' `produced` says how many it
   * logged), or as `--records` fixed it (all logged).
   */
  readonly recordsPerThread: number;
  /** How `recordsPerThread` was chosen: by a calibration run to at least this much logging, or fixed. */
  readonly sizing: { readonly by: 'time'; readonly minLoggingMs: number; readonly capped: boolean } | { readonly by: 'records' };
  /** Whether the adapter passes structured fields on (capability `fields`); else it logs the message only. */
  readonly fields: boolean;
  readonly status: 'ok' | 'error' | 'skip';
  readonly reason?: string;
  /** Every iteration, in order. */
  readonly samples: readonly BenchSample[];
  /** The median iteration by delivered records per second (its latency, memory and loop delay are shown). */
  readonly median?: BenchSample;
  /** Each ranked figure's min, median and max over the iterations. */
  readonly spread?: Readonly<Record<SpreadFigure, Spread>>;
}
