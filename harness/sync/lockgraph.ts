/**
 * The class-level lock-order graph, lockdep-style: an edge A → B means some thread took a
 * lock of class B while holding one of class A. A cycle means the classes can be taken in
 * orders that deadlock, whether or not this run did.
 *
 * Pure functions over the edges read from shared memory, so the analysis is tested on its own.
 */

export interface OrderEdge {
  readonly from: string;
  readonly to: string;
  /** The thread that took the edge. */
  readonly thread: string;
  /** The stack when the edge was first taken by this thread. */
  readonly site: string;
  /** Lock instances held before `from` every time this thread took the edge. */
  readonly guards: readonly number[];
  /**
   * A cross-release edge (absent: a lock taken while holding one): 'wait', waited on condition
   * `to` while holding `from`; 'notify', took `to` before notifying condition `from`.
   */
  readonly kind?: 'wait' | 'notify';
}

export interface OrderCycle {
  /** Classes in cycle order: classes[i] → classes[i + 1], and the last → the first. */
  readonly classes: readonly string[];
  /** Every recorded edge for each hop of the cycle. */
  readonly hops: readonly (readonly OrderEdge[])[];
  /** The same cycle whichever class it is read from. */
  readonly signature: string;
  /** Why the cycle cannot deadlock, when it cannot: then it is reported as info. */
  readonly benign?: 'single-thread' | 'common-guard';
  /** The guard lock every edge of the cycle was taken under, for 'common-guard'. */
  readonly guard?: number;
}

export function cycleSignature(classes: readonly string[]): string {
  let best = '';
  for (let i = 0; i < classes.length; i++) {
    const rotated = [...classes.slice(i), ...classes.slice(0, i)].join(' -> ');
    if (best === '' || rotated < best) best = rotated;
  }
  return best;
}

export class LockOrderGraph {
  readonly #out = new Map<string, Map<string, OrderEdge[]>>();
  readonly #seen = new Set<string>();

  get size(): number {
    let n = 0;
    for (const m of this.#out.values()) for (const edges of m.values()) n += edges.length;
    return n;
  }

  /**
   * Adds an edge and answers the shortest cycle through it, if it closes one that was not
   * answered before (cycles are deduplicated by signature).
   */
  add(edge: OrderEdge): OrderCycle | undefined {
    let targets = this.#out.get(edge.from);
    if (targets === undefined) {
      targets = new Map();
      this.#out.set(edge.from, targets);
    }
    const list = targets.get(edge.to) ?? [];
    list.push(edge);
    targets.set(edge.to, list);
    if (edge.from === edge.to) return undefined; // same class nested: recursive-lock's business
    const path = this.#shortestPath(edge.to, edge.from);
    if (path === undefined) return undefined;
    const classes = [edge.from, ...path.slice(0, -1)];
    const signature = cycleSignature(classes);
    const hops = classes.map((from, i) => this.#out.get(from)?.get(classes[(i + 1) % classes.length] as string) ?? []);
    const cycle = classify({ classes, hops, signature });
    // A cycle first seen benign is looked at again when a new edge may make it dangerous.
    const key = `${signature}|${cycle.benign ?? 'hazard'}`;
    if (this.#seen.has(key) || (cycle.benign !== undefined && this.#seen.has(`${signature}|hazard`))) return undefined;
    this.#seen.add(key);
    return cycle;
  }

  /** Breadth-first: the fewest hops from `start` to `goal`, both included. */
  #shortestPath(start: string, goal: string): string[] | undefined {
    const previous = new Map<string, string>([[start, start]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i] as string;
      if (node === goal) {
        const path = [goal];
        for (let at = goal; at !== start; ) {
          at = previous.get(at) as string;
          path.unshift(at);
        }
        return path;
      }
      for (const next of this.#out.get(node)?.keys() ?? []) {
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
    return undefined;
  }
}

/**
 * A cycle is benign when every edge of it was taken by one thread (one thread cannot wait on
 * itself across two locks), or when one lock instance was held around every edge of it (a
 * guard: only one thread at a time can be inside the cycle).
 */
export function classify(cycle: Omit<OrderCycle, 'benign' | 'guard'>): OrderCycle {
  const threads = new Set(cycle.hops.flatMap((edges) => edges.map((e) => e.thread)));
  if (threads.size <= 1) return { ...cycle, benign: 'single-thread' };
  const all = cycle.hops.flat();
  const first = all[0];
  for (const guard of first?.guards ?? []) {
    if (all.every((e) => e.guards.includes(guard))) return { ...cycle, benign: 'common-guard', guard };
  }
  return cycle;
}
