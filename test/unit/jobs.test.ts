import { describe, expect, it } from 'vitest';
import { boundsFor, judgedByTime, Slots } from '../../harness/run/jobs.js';

/** Acquires and records the order in which each request was admitted. */
function admitted(slots: Slots, requests: readonly { name: string; alone: boolean }[]): { order: string[]; settle: () => Promise<void> } {
  const order: string[] = [];
  const all = requests.map(({ name, alone }) => slots.acquire(alone).then(() => void order.push(name)));
  return { order, settle: async () => void (await Promise.all(all)) };
}

describe('job slots', () => {
  it('admits up to N shared runs at once and the next when one ends', async () => {
    const slots = new Slots(2);
    const { order } = admitted(slots, [
      { name: 'a', alone: false },
      { name: 'b', alone: false },
      { name: 'c', alone: false },
    ]);
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['a', 'b']);
    slots.release(false);
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('starts a run judged by time only when nothing else runs, and nothing beside it', async () => {
    const slots = new Slots(2);
    const { order } = admitted(slots, [
      { name: 'shared', alone: false },
      { name: 'timed', alone: true },
      { name: 'after', alone: false },
    ]);
    const tick = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) await Promise.resolve();
    };
    await tick();
    // In arrival order: the later shared run does not overtake the waiting timed one.
    expect(order).toEqual(['shared']);
    slots.release(false);
    await tick();
    expect(order).toEqual(['shared', 'timed']);
    slots.release(true);
    await tick();
    expect(order).toEqual(['shared', 'timed', 'after']);
  });
});

describe('which runs share the machine', () => {
  it('runs scenarios failing on stalls, blocked callers or memory growth alone', () => {
    expect(judgedByTime({ failOn: ['blocked-caller', 'lost-records'] })).toBe(true);
    expect(judgedByTime({ failOn: ['event-loop-stall'] })).toBe(true);
    expect(judgedByTime({ failOn: ['unbounded-memory'] })).toBe(true);
    expect(judgedByTime({ failOn: ['lost-records', 'hang', 'exit-hang', 'deadlock'] })).toBe(false);
  });

  it('widens the hang, exit and close bounds by the runs sharing the machine, and only then', () => {
    expect(boundsFor(1)).toEqual({});
    expect(boundsFor(1, { hangMs: 500 })).toEqual({ hangMs: 500 });
    expect(boundsFor(2)).toEqual({ hangMs: 6000, exitMs: 6000, closeMs: 10_000 });
    expect(boundsFor(3, { hangMs: 1000 })).toEqual({ hangMs: 3000, exitMs: 9000, closeMs: 15_000 });
  });
});
