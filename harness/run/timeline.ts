/**
 * Where one run's time went, from the supervisor's clock and the child's marks (epoch ms).
 * Pure: the JSON report's `runs[].phases` and `npm run bench` read it; no verdict depends on it.
 */

import type { ChildMark, ThreadStartup } from '../contract/protocol.js';
import type { RunPhases } from '../contract/result.js';

export type { RunPhases } from '../contract/result.js';

export interface RunTimeline {
  /** The process was warm (started ahead by the pool) rather than started when the run was due. */
  readonly warm: boolean;
  /** The supervisor was asked for the run. */
  readonly due: number;
  /** The run's process was spawned (before `due` when warm). */
  readonly spawned: number;
  readonly child: Readonly<Partial<Record<ChildMark, number>>>;
  /** The producer threads' start-up, as the child summed it. */
  readonly threads?: ThreadStartup;
  /** The supervisor saw the process end. */
  readonly exited: number;
  /** The verdict was ready: sink read back, ledger reconciled, scratch folder removed. */
  readonly end: number;
}

/** The child's steps that bound a phase, in order, and the phase each one ends. */
const STEPS = [
  ['spec', 'ready'],
  ['first-record', 'setup'],
  ['last-record', 'scenario'],
  ['done', 'shutdown'],
] as const satisfies readonly (readonly [ChildMark, keyof RunPhases])[];

/**
 * Folds a run's timeline into consecutive phases that add up to its wall (`end - due`).
 *
 * Each step's time is clamped between the one before it and the process's end, so clocks that
 * disagree by a hair, or a mark from a warm process's loading (before the run was due), never
 * give a negative phase. A step the child never reported (a crash, a kill, a skip, a scenario
 * that logs nothing) gets the time of the step before it: its phase is 0 and the time is counted
 * in the next phase that was reported, and the step is named in `missing`. A scenario with no
 * record marks (the Python bridge) is timed from its start to its return.
 */
export function phasesOf(t: RunTimeline): RunPhases {
  const c = t.child;
  const mark = (step: ChildMark): number | undefined => {
    if (step === 'first-record') return c['first-record'] ?? c.scenario;
    if (step === 'last-record') return c['last-record'] ?? c['scenario-end'];
    return c[step];
  };
  const exited = Math.max(t.exited, t.due);
  const end = Math.max(t.end, exited);
  const at: Record<string, number> = {};
  const missing: string[] = [];
  let previous = t.due;
  for (const [step, phase] of STEPS) {
    const raw = mark(step);
    if (raw === undefined) missing.push(step);
    const time = raw === undefined ? previous : Math.min(Math.max(raw, previous), exited);
    at[phase] = time - previous;
    previous = time;
  }
  const ms = (x: number): number => Math.round(x);
  return {
    ready: ms(at['ready'] ?? 0),
    setup: ms(at['setup'] ?? 0),
    scenario: ms(at['scenario'] ?? 0),
    shutdown: ms(at['shutdown'] ?? 0),
    exit: ms(exited - previous),
    readBack: ms(end - exited),
    warm: t.warm,
    ...(t.threads !== undefined ? { threads: { harness: ms(t.threads.harness), adapter: ms(t.threads.adapter), ready: ms(t.threads.ready) } } : {}),
    ...(missing.length > 0 ? { missing } : {}),
  };
}

/** The phases' sum: the run's wall as the timeline saw it. */
export function phasesTotal(p: RunPhases): number {
  return p.ready + p.setup + p.scenario + p.shutdown + p.exit + p.readBack;
}
