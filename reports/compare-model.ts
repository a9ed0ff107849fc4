/**
 * The model behind `logjam compare`: the suite's result model plus the benchmarks and what is
 * needed to read them (adapters with their logger versions, the environment, the command).
 * The HTML and Markdown comparison reports are pure views of it.
 */

import type { BenchmarkResult } from '../harness/contract/benchmark-protocol.js';
import type { Report } from '../harness/contract/result.js';

export interface CompareModel {
  readonly schema: 'logjam.compare/1';
  readonly generatedAt: string;
  /** The exact command that produced the model. */
  readonly command: string;
  readonly os: { readonly type: string; readonly release: string };
  /** The Node release the runs and benchmarks ran on (`--node`'s, else logjam's own). */
  readonly node?: string;
  readonly adapters: readonly { readonly name: string; readonly description: string; readonly versions: Readonly<Record<string, string>> }[];
  readonly scenarios: readonly { readonly name: string; readonly description: string }[];
  /** The verdicts: every adapter × scenario × seed, as `logjam run` reports them. */
  readonly report: Report;
  /**
   * How the benchmarks were sized: `records` per producer thread when fixed (`--records`), else
   * calibrated to at least `minLoggingMs` of logging per iteration (each result says its size).
   */
  readonly bench: { readonly minLoggingMs: number; readonly records?: number; readonly iterations: number; readonly threads: readonly number[] };
  readonly benchmarks: readonly BenchmarkResult[];
}
