/**
 * Which runs may share the machine, and what sharing it changes (`--jobs`).
 *
 * A verdict from exact counts (the ledger's lost/duplicated/reordered/torn records, exit loss,
 * context, recursion, a crash, a deadlock's wait-for cycle) does not depend on how fast the run
 * went, so such runs go side by side. Their only time-judged findings are generous bounds a
 * correct logger never comes near (the hang window, the exit and close bounds); those are
 * widened by the number of runs sharing the machine, which can only remove a finding the
 * sharing itself would cause, never add one. A scenario that fails on a measured time (an
 * event-loop stall, a blocked caller, memory growing with the backlog) runs alone.
 */

import { availableParallelism } from 'node:os';
import type { FindingKind } from '../contract/result.js';
import type { AnyScenario } from '../contract/scenario.js';

/** Finding kinds judged by a measured time or rate rather than by a count. */
export const TIME_JUDGED_KINDS: readonly FindingKind[] = ['event-loop-stall', 'blocked-caller', 'unbounded-memory'];

/** The scenario fails on a kind judged by measured time, so it must run alone. */
export function judgedByTime(scenario: Pick<AnyScenario, 'failOn'>): boolean {
  return scenario.failOn.some((kind) => TIME_JUDGED_KINDS.includes(kind));
}

/** A run's generous time bounds; unset ones are the supervisor's defaults. */
export interface Bounds {
  /** @defaultValue 3000 */
  readonly hangMs?: number;
  /** @defaultValue 3000 */
  readonly exitMs?: number;
  /** @defaultValue 5000 */
  readonly closeMs?: number;
}

/** The supervisor's defaults (supervisor.ts), for widening. */
const SUPERVISOR_BOUNDS = { hangMs: 3000, exitMs: 3000, closeMs: 5000 } as const;

/** `base` (the config's, else the supervisor's defaults), widened by the runs sharing the machine. */
export function boundsFor(concurrency: number, base: Bounds = {}): Bounds {
  if (concurrency <= 1) return base;
  return {
    hangMs: (base.hangMs ?? SUPERVISOR_BOUNDS.hangMs) * concurrency,
    exitMs: (base.exitMs ?? SUPERVISOR_BOUNDS.exitMs) * concurrency,
    closeMs: (base.closeMs ?? SUPERVISOR_BOUNDS.closeMs) * concurrency,
  };
}

/** `--jobs`'s default: one run per core, at least one. */
export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * At most `jobs` runs at once; a run that must be alone waits until none runs and holds every
 * slot. Waiters are served in arrival order, so a lone run is not starved by later shared ones.
 */
export class Slots {
  readonly #jobs: number;
  #busy = 0;
  #alone = false;
  readonly #waiting: { readonly alone: boolean; readonly resolve: () => void }[] = [];

  constructor(jobs: number) {
    this.#jobs = Math.max(1, jobs);
  }

  acquire(alone: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiting.push({ alone, resolve });
      this.#admit();
    });
  }

  release(alone: boolean): void {
    this.#busy--;
    if (alone) this.#alone = false;
    this.#admit();
  }

  #admit(): void {
    for (;;) {
      const head = this.#waiting[0];
      if (head === undefined || this.#alone) return;
      if (head.alone ? this.#busy > 0 : this.#busy >= this.#jobs) return;
      this.#waiting.shift();
      this.#busy++;
      if (head.alone) this.#alone = true;
      head.resolve();
    }
  }
}
