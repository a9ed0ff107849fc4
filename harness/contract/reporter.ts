/**
 * The reporter contract: optional hooks over the one result model, in vitest's manner.
 * Reporters (reports/) are views; they never decide a verdict. The suite calls these hooks.
 */

import type { ChildEvent } from './protocol.js';
import type { Report, RunResult } from './result.js';

export interface PlannedRun {
  readonly index: number;
  readonly total: number;
  readonly adapter: string;
  readonly scenario: string;
  readonly seed: number;
}

export type ShrinkEvent =
  | { readonly phase: 'start'; readonly kinds: readonly string[] }
  | { readonly phase: 'step'; readonly kinds: readonly string[]; readonly failed: boolean; readonly params: unknown };

export interface Reporter {
  onRunStart?(run: PlannedRun): void;
  onEvent?(run: PlannedRun, event: ChildEvent): void;
  onRunEnd?(run: PlannedRun, result: RunResult): void;
  /** A failing run is being shrunk: once at the start, then once per candidate run. */
  onShrink?(run: PlannedRun, event: ShrinkEvent): void;
  onEnd?(report: Report): void;
}

/** Where reporters write; captured at startup, because loggers under test patch stdout. */
export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}
