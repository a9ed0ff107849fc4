/**
 * Folding a run's timeline (the supervisor's clock and the child's marks) into the report's
 * phases: consecutive, non-negative, adding up to the run's wall, whatever the child reported.
 */

import { describe, expect, it } from 'vitest';
import { phasesOf, phasesTotal, type RunTimeline } from '../../harness/run/timeline.js';

const T0 = 1_800_000_000_000;

/** A cold run: due at T0, spawned at once, every step reported. */
const full: RunTimeline = {
  warm: false,
  due: T0,
  spawned: T0 + 1,
  child: {
    process: T0 + 20,
    harness: T0 + 120,
    spec: T0 + 121,
    adapter: T0 + 180,
    scenario: T0 + 190,
    'first-record': T0 + 260,
    'last-record': T0 + 760,
    'scenario-end': T0 + 800,
    done: T0 + 810,
  },
  threads: { harness: 40.4, adapter: 55.6, ready: 61 },
  exited: T0 + 900,
  end: T0 + 930,
};

describe('the phases of a run', () => {
  it('splits the wall at the child steps and the supervisor marks', () => {
    expect(phasesOf(full)).toEqual({
      ready: 121,
      setup: 139,
      scenario: 500,
      shutdown: 50,
      exit: 90,
      readBack: 30,
      warm: false,
      threads: { harness: 40, adapter: 56, ready: 61 },
    });
    expect(phasesTotal(phasesOf(full))).toBe(930);
  });

  it('counts a warm process loading before the run was due as nothing the run waited for', () => {
    const warm: RunTimeline = {
      ...full,
      warm: true,
      spawned: T0 - 400,
      child: { ...full.child, process: T0 - 380, harness: T0 - 250, spec: T0 + 3 },
    };
    const p = phasesOf(warm);
    expect(p.ready).toBe(3);
    expect(p.setup).toBe(257);
    expect(phasesTotal(p)).toBe(930);
  });

  it('never gives a negative phase when the two clocks disagree by a hair or a mark falls after the process ended', () => {
    const skewed: RunTimeline = {
      ...full,
      child: { spec: T0 - 2, 'first-record': T0 + 50, 'last-record': T0 + 40, done: T0 + 950 },
    };
    const p = phasesOf(skewed);
    for (const key of ['ready', 'setup', 'scenario', 'shutdown', 'exit', 'readBack'] as const) expect(p[key]).toBeGreaterThanOrEqual(0);
    expect(p).toMatchObject({ ready: 0, setup: 50, scenario: 0, shutdown: 850, exit: 0, readBack: 30 });
    expect(phasesTotal(p)).toBe(930);
  });

  it('times a scenario without record marks (the Python bridge) from its start to its return', () => {
    const { 'first-record': _f, 'last-record': _l, ...child } = full.child;
    const p = phasesOf({ ...full, child });
    expect(p).toMatchObject({ setup: 69, scenario: 610, shutdown: 10 });
    expect(p.missing).toBeUndefined();
  });

  it('counts the time of a step the child never reported in the next phase, and names the step', () => {
    // Killed at the deadline: the child had its spec and started logging, nothing after.
    const killed: RunTimeline = { ...full, child: { spec: T0 + 121, scenario: T0 + 190, 'first-record': T0 + 260 }, exited: T0 + 30_000, end: T0 + 30_040 };
    const p = phasesOf(killed);
    expect(p).toMatchObject({ ready: 121, setup: 139, scenario: 0, shutdown: 0, exit: 29_740, readBack: 40, missing: ['last-record', 'done'] });
    expect(phasesTotal(p)).toBe(30_040);
  });

  it('puts a run whose child said nothing at all into its exit phase, every step named missing', () => {
    const p = phasesOf({ warm: false, due: T0, spawned: T0, child: {}, exited: T0 + 700, end: T0 + 705 });
    expect(p).toEqual({ ready: 0, setup: 0, scenario: 0, shutdown: 0, exit: 700, readBack: 5, warm: false, missing: ['spec', 'first-record', 'last-record', 'done'] });
  });
});
