/**
 * Where one run's time went, from the supervisor's clock and the child's marks (epoch ms).
 * `npm run bench` prints it; no verdict depends on it.
 */

import type { ChildMark } from '../contract/protocol.js';

export interface RunTimeline {
  /** The process was warm (started ahead by the pool) rather than started when the run was due. */
  readonly warm: boolean;
  /** The supervisor was asked for the run. */
  readonly due: number;
  /** The run's process was spawned (before `due` when warm). */
  readonly spawned: number;
  readonly child: Readonly<Partial<Record<ChildMark, number>>>;
  /** The supervisor saw the process end. */
  readonly exited: number;
  /** The verdict was ready: sink read back, ledger reconciled, scratch folder removed. */
  readonly end: number;
}

/** The phases of a run, in milliseconds; a phase the run did not reach is NaN. */
export interface RunPhases {
  /** From spawn to the child's process start (`performance.timeOrigin`). */
  readonly spawn: number;
  /** Node's own start to the harness's modules loaded (tsx included). */
  readonly modules: number;
  /** Harness loaded to the scenario's start: the RunSpec's hand-over, the adapter and its logger, the watchdog. */
  readonly setup: number;
  readonly scenario: number;
  /** The scenario's return to `done`: collector close, metrics. */
  readonly shutdown: number;
  /** `done` to the process's end as the supervisor saw it. */
  readonly exit: number;
  /** The process's end to the verdict: the sink read back into the ledger. */
  readonly readBack: number;
  /** From the run being due to its verdict: what a suite waits for this run. */
  readonly wall: number;
  /** `wall` minus the scenario: the run's fixed cost. */
  readonly overhead: number;
}

export function phasesOf(t: RunTimeline): RunPhases {
  const c = t.child;
  const span = (from: number | undefined, to: number | undefined): number => (from === undefined || to === undefined ? Number.NaN : to - from);
  // A warm process's loading happened before the run was due; only what is after `due` is waited for.
  const after = (mark: number | undefined): number | undefined => (mark === undefined ? undefined : Math.max(mark, t.due));
  const scenario = span(c.scenario, c['scenario-end']);
  const wall = t.end - t.due;
  return {
    spawn: span(after(t.spawned), after(c.process)),
    modules: span(after(c.process), after(c.harness)),
    setup: span(after(c.harness), c.scenario),
    scenario,
    shutdown: span(c['scenario-end'], c.done),
    exit: span(c.done, t.exited),
    readBack: t.end - t.exited,
    wall,
    overhead: wall - (Number.isNaN(scenario) ? 0 : scenario),
  };
}
