import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cycleSignature, LockOrderGraph, type OrderEdge } from '../harness/lockgraph.js';

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
