import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Board, FIRST_PRODUCER_SLOT } from '../../harness/sync/board.js';
import { cycleSignature, LockOrderGraph, type OrderEdge } from '../../harness/sync/lockgraph.js';
import { cycleHolds, findWaitCycle, waitSeqs } from '../../harness/sync/runtime.js';

const edge = (from: string, to: string, thread: string, guards: number[] = []): OrderEdge => ({ from, to, thread, site: `${from}->${to}`, guards });

describe('the lock-order graph', () => {
  it('finds the shortest cycle through the edge that closes it', () => {
    const g = new LockOrderGraph();
    expect(g.add(edge('a', 'b', 't1'))).toBeUndefined();
    expect(g.add(edge('b', 'c', 't2'))).toBeUndefined();
    expect(g.add(edge('c', 'd', 't2'))).toBeUndefined();
    expect(g.add(edge('b', 'd', 't3'))).toBeUndefined();
    const cycle = g.add(edge('d', 'a', 't4'));
    expect(cycle?.classes).toEqual(['d', 'a', 'b']);
    expect(cycle?.benign).toBeUndefined();
  });

  it('reports a cycle once, whichever edge closes it again', () => {
    const g = new LockOrderGraph();
    g.add(edge('a', 'b', 't1'));
    expect(g.add(edge('b', 'a', 't2'))?.signature).toBe('a -> b');
    expect(g.add(edge('b', 'a', 't3'))).toBeUndefined();
    expect(g.add(edge('a', 'b', 't4'))).toBeUndefined();
  });

  it('judges a one-thread cycle benign, until another thread takes one of its edges', () => {
    const g = new LockOrderGraph();
    g.add(edge('a', 'b', 't1'));
    expect(g.add(edge('b', 'a', 't1'))?.benign).toBe('single-thread');
    const again = g.add(edge('b', 'a', 't2'));
    expect(again?.benign).toBeUndefined();
  });

  it('judges a cycle benign when one lock guards every edge of it, and not when one edge escapes it', () => {
    const g = new LockOrderGraph();
    g.add(edge('a', 'b', 't1', [7]));
    const guarded = g.add(edge('b', 'a', 't2', [7, 9]));
    expect(guarded?.benign).toBe('common-guard');
    expect(guarded?.guard).toBe(7);
    expect(g.add(edge('b', 'a', 't3'))?.benign).toBeUndefined();
  });

  it('finds a cycle in any graph that has one (property: agrees with a reachability check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })), { maxLength: 20 }), (raw) => {
        const g = new LockOrderGraph();
        const adjacency = new Map<number, Set<number>>();
        let found = false;
        let expected = false;
        for (const [from, to, thread] of raw) {
          if (from === to) continue;
          if (g.add(edge(String(from), String(to), `t${thread}`)) !== undefined) found = true;
          adjacency.set(from, (adjacency.get(from) ?? new Set()).add(to));
          // Does `to` reach `from`? Then this edge closed a cycle.
          const seen = new Set([to]);
          const stack = [to];
          while (stack.length > 0) {
            const n = stack.pop() as number;
            for (const m of adjacency.get(n) ?? []) {
              if (!seen.has(m)) {
                seen.add(m);
                stack.push(m);
              }
            }
          }
          if (seen.has(from)) expected = true;
        }
        expect(found).toBe(expected);
      }),
    );
  });

  it('names a cycle the same from every rotation', () => {
    expect(cycleSignature(['b', 'c', 'a'])).toBe(cycleSignature(['a', 'b', 'c']));
    expect(cycleSignature(['c', 'a', 'b'])).toBe('a -> b -> c');
  });
});

describe('a wait-for cycle read off the board', () => {
  // Two threads' rows, written as the threads would: A holds lock 1 and waits for lock 2.
  const setUp = (): { board: Board; b: ReturnType<Board['row']> } => {
    const board = Board.create();
    const a = board.row(FIRST_PRODUCER_SLOT);
    const b = board.row(FIRST_PRODUCER_SLOT + 1);
    a.push(1, 0);
    b.push(2, 0);
    b.waitStart('lock', 1, 0, 0, 0, 0);
    a.waitStart('lock', 2, 0, 0, 0, 0);
    return { board, b };
  };

  it('is a deadlock while every thread stays in the same wait and every lock with its holder', () => {
    const { board } = setUp();
    const cycle = findWaitCycle(board, FIRST_PRODUCER_SLOT);
    expect(cycle?.map((s) => [s.slot, s.waitsOn])).toEqual([
      [FIRST_PRODUCER_SLOT, 2],
      [FIRST_PRODUCER_SLOT + 1, 1],
    ]);
    expect(cycleHolds(board, cycle ?? [], waitSeqs(board, cycle ?? []))).toBe(true);
  });

  it('is not one once a thread seen holding a lock has released it, or has moved on to another wait', () => {
    // B released lock 2 (A's wait) after the cycle was read: the read was torn.
    const released = setUp();
    const cycle = findWaitCycle(released.board, FIRST_PRODUCER_SLOT) ?? [];
    const seqs = waitSeqs(released.board, cycle);
    released.b.remove(2);
    expect(cycleHolds(released.board, cycle, seqs)).toBe(false);
    // B got lock 1, released it and waits for it again: the same edge, another wait.
    const moved = setUp();
    const again = findWaitCycle(moved.board, FIRST_PRODUCER_SLOT) ?? [];
    const before = waitSeqs(moved.board, again);
    moved.b.waitEnd();
    moved.b.waitStart('lock', 1, 0, 0, 0, 0);
    expect(cycleHolds(moved.board, again, before)).toBe(false);
  });

  it('follows every holder of a shared lock to the one that closes a cycle over three threads', () => {
    // A and B both hold lock 1 shared; C waits for lock 1 and holds lock 3; B waits for 3; A waits for 2, which nobody holds.
    const board = Board.create();
    const [a, b, c] = [0, 1, 2].map((i) => board.row(FIRST_PRODUCER_SLOT + i)) as [ReturnType<Board['row']>, ReturnType<Board['row']>, ReturnType<Board['row']>];
    a.push(1, 0);
    b.push(1, 0);
    c.push(3, 0);
    a.waitStart('lock', 2, 0, 0, 0, 0);
    b.waitStart('lock-shared', 3, 0, 0, 0, 0);
    c.waitStart('lock', 1, 0, 0, 0, 0);
    const cycle = findWaitCycle(board, FIRST_PRODUCER_SLOT + 2);
    expect(cycle?.map((s) => [s.slot, s.waitsOn])).toEqual([
      [FIRST_PRODUCER_SLOT + 2, 1],
      [FIRST_PRODUCER_SLOT + 1, 3],
    ]);
    expect(findWaitCycle(board, FIRST_PRODUCER_SLOT)).toBeUndefined();
  });
});
