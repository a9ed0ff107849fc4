/**
 * A run's schedule as the result model and the protocol carry it (harness/sync/schedule.ts
 * runs it; harness/run/schedule-gen.ts generates it).
 */

/**
 * One preemption: at coordinator step `at`, switch to the `pick`-th of the other held threads
 * (by slot, modulo their number). Nothing happens when no other thread is held.
 */
export interface Preemption {
  readonly at: number;
  readonly pick: number;
}

export type ScheduleSpec =
  | { readonly mode: 'pct'; readonly seed: number; readonly depth: number }
  | { readonly mode: 'controlled'; readonly preemptions: readonly Preemption[] };

export type ScheduleMode = 'free' | 'pct' | 'controlled';

export const SCHEDULE_MODES: readonly ScheduleMode[] = ['free', 'pct', 'controlled'];
