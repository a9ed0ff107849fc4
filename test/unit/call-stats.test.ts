/**
 * A log call's duration net of the time its thread stood ready without a CPU: a slow call on a
 * loaded machine is not a logger that blocked its caller. The wait is read only for slow calls
 * (and every 100 ms between them), from a reader the test drives.
 */

import { describe, expect, it } from 'vitest';
import { CallStats } from '../../harness/contract/call-stats.js';

describe('call timing', () => {
  it('takes the run-queue wait since the last reading off a slow call', () => {
    const wait = { ms: 10 };
    const stats = new CallStats(50, () => wait.ms);
    stats.time(0, 0.1);
    // 276 ms on the wall, 60 of them waiting for a CPU: 216 ms of the logger's own.
    wait.ms = 70;
    stats.time(1, 276);
    expect(stats.summary().slowest).toEqual({ seq: 1, ms: 216 });
    expect(stats.summary().slowCalls).toBe(1);
  });

  it('counts the wall time where the OS does not say, and a fast call as it came', () => {
    const stats = new CallStats(50, () => undefined);
    stats.time(0, 276);
    stats.time(1, 3);
    expect(stats.summary().slowest).toEqual({ seq: 0, ms: 276 });
  });

  it('never counts a slow call below zero, nor one wait twice', () => {
    const wait = { ms: 0 };
    const stats = new CallStats(50, () => wait.ms);
    wait.ms = 500;
    stats.time(0, 80);
    // The next slow call: no new wait since the last reading, so all of it counts.
    stats.time(1, 90);
    expect(stats.summary()).toMatchObject({ slowest: { seq: 1, ms: 90 }, slowCalls: 1 });
  });
});
