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
  readonly records: number;
  readonly dir: string;
}

export interface BenchWorkerData {
  readonly adapterUrl: string;
  readonly shape: BenchShape;
  readonly producer: number;
  readonly records: number;
  readonly file: string;
  readonly gate: SharedArrayBuffer;
}

export type BenchWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly histogram: string }
  | { readonly type: 'error'; readonly message: string };

/** One iteration's measurements, end to end. */
export interface BenchSample {
  readonly produced: number;
  /** Records found in the sink file after every logger closed. */
  readonly delivered: number;
  /** Gate open to the last logger closed (producers' and process-wide). */
  readonly wallMs: number;
  readonly deliveredPerSec: number;
  readonly callLatencyUs: LatencySummary;
  readonly peakRssMb: number;
  /** The Node process's event-loop delay; absent for a Python adapter (no event loop between its calls). */
  readonly eventLoopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
}

export type BenchChildMessage =
  | { readonly type: 'result'; readonly sample: BenchSample }
  | { readonly type: 'error'; readonly message: string }
  /** The adapter cannot run here (a Python adapter whose logger is not installed). */
  | { readonly type: 'skip'; readonly reason: string };

export interface BenchmarkResult {
  readonly adapter: string;
  readonly shape: BenchShape;
  readonly threads: number;
  readonly recordsPerThread: number;
  /** Whether the adapter passes structured fields on (capability `fields`); else it logs the message only. */
  readonly fields: boolean;
  readonly status: 'ok' | 'error' | 'skip';
  readonly reason?: string;
  /** Every iteration, in order. */
  readonly samples: readonly BenchSample[];
  /** The median iteration by delivered records per second. */
  readonly median?: BenchSample;
  /** tinybench's statistics of one iteration's wall time (spawn to result), in ms. */
  readonly iteration?: { readonly mean: number; readonly rme: number; readonly samples: number };
}
