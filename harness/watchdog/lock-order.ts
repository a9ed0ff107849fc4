/**
 * The watchdog's lock-order detector: reads the edges the threads publish (one per new
 * class-level order, with the stack that took it), adds them to the lock-order graph
 * (sync/lockgraph.ts) and reports each cycle they close.
 *
 * The reading is the only part that touches shared memory; the finding is a pure function of
 * the cycle.
 */

import { firstFrame } from '../contract/protocol.js';
import type { Finding } from '../contract/result.js';
import { LockOrderGraph, type OrderCycle, type OrderEdge } from '../sync/lockgraph.js';
import { E_FROM_CLASS, E_GUARD0, E_GUARDS, E_KIND, E_READY, E_SITE, E_SLOT, E_TO_CLASS, EDGE_HEADER, EDGE_KINDS, EDGE_STRIDE, interleavingTable } from '../sync/runtime.js';
import type { StringTable } from '../sync/strings.js';

export class LockOrderDetector {
  readonly #graph = new LockOrderGraph();
  readonly #lockName: (id: number) => string;
  /** Waits (`held -> condition`) of the cross-release hazards reported so far. */
  readonly #waitsReported = new Set<string>();
  #read = 0;

  constructor(lockName: (id: number) => string) {
    this.#lockName = lockName;
  }

  /**
   * Reads the edges published since the last look; an edge still being written is read next
   * time. Answers a finding per cycle they close.
   */
  look(edges: Int32Array, strings: StringTable, threadName: (slot: number) => string): Finding[] {
    const findings: Finding[] = [];
    const cycles: OrderCycle[] = [];
    const count = Math.min(Atomics.load(edges, 0), (edges.length - EDGE_HEADER) / EDGE_STRIDE);
    while (this.#read < count) {
      const at = EDGE_HEADER + this.#read * EDGE_STRIDE;
      if (Atomics.load(edges, at + E_READY) !== 1) break;
      this.#read++;
      const guards: number[] = [];
      for (let i = 0; i < Atomics.load(edges, at + E_GUARDS); i++) guards.push(Atomics.load(edges, at + E_GUARD0 + i));
      const kind = EDGE_KINDS[Atomics.load(edges, at + E_KIND)];
      const edge: OrderEdge = {
        from: strings.read(Atomics.load(edges, at + E_FROM_CLASS)),
        to: strings.read(Atomics.load(edges, at + E_TO_CLASS)),
        thread: threadName(Atomics.load(edges, at + E_SLOT)),
        site: strings.read(Atomics.load(edges, at + E_SITE)),
        guards,
        ...(kind === 'wait' || kind === 'notify' ? { kind } : {}),
      };
      const cycle = this.#graph.add(edge);
      if (cycle !== undefined) cycles.push(cycle);
    }
    // Shortest first: one notify publishes an edge to every lock its thread took, and each can
    // close a longer cycle through the same wait.
    cycles.sort((a, b) => a.classes.length - b.classes.length);
    for (const cycle of cycles) if (this.#newHazard(cycle)) findings.push(lockOrderFinding(cycle, this.#lockName));
    return findings;
  }

  /**
   * A cross-release cycle whose every wait (a lock held across a condition wait) was in a
   * hazard reported before is the same defect by a longer way round: not reported again.
   */
  #newHazard(cycle: OrderCycle): boolean {
    if (cycle.benign !== undefined) return true;
    const waits = cycle.hops.flatMap((edges, i) =>
      edges.some((e) => e.kind === 'wait') ? [`${cycle.classes[i] as string} -> ${cycle.classes[(i + 1) % cycle.classes.length] as string}`] : [],
    );
    if (waits.length === 0) return true;
    const known = waits.every((w) => this.#waitsReported.has(w));
    for (const w of waits) this.#waitsReported.add(w);
    return !known;
  }
}

/**
 * A lock-order cycle as a finding, lockdep-style: each hop with the edge taken under the
 * fewest guards (the one that makes the cycle dangerous), and an interleaving that deadlocks.
 * A cycle the graph judged harmless is information.
 */
export function lockOrderFinding(cycle: OrderCycle, lockName: (id: number) => string, language?: 'python'): Finding {
  const hops = cycle.classes.map((from, i) => {
    const to = cycle.classes[(i + 1) % cycle.classes.length] as string;
    const edges = [...(cycle.hops[i] ?? [])].sort((a, b) => a.guards.length - b.guards.length);
    const edge = edges[0];
    return {
      from,
      to,
      thread: edge?.thread ?? '?',
      site: edge?.site ?? '',
      guards: edge?.guards.map((g) => lockName(g)) ?? [],
      threads: [...new Set(edges.map((e) => e.thread))],
      ...(edge?.kind !== undefined ? { kind: edge.kind } : {}),
    };
  });
  const hopText = (h: (typeof hops)[number]): string => {
    if (h.kind === 'wait') return `${h.from} → ${h.to} (${h.thread} waits on ${h.to} holding ${h.from}, at ${firstFrame(h.site)})`;
    if (h.kind === 'notify') return `${h.from} → ${h.to} (${h.thread} takes ${h.to} before it notifies ${h.from}, at ${firstFrame(h.site)})`;
    return `${h.from} → ${h.to} (${h.thread} at ${firstFrame(h.site)})`;
  };
  const crossRelease = hops.some((h) => h.kind === 'wait')
    ? ' A thread waits on a condition holding a lock that the condition\'s notifier takes first: while it waits, the notify cannot come.'
    : '';
  const why =
    cycle.benign === 'single-thread'
      ? ' Every edge was taken by one thread, which cannot wait on itself this way: reported, not failed.'
      : cycle.benign === 'common-guard'
        ? ` Every edge was taken holding ${lockName(cycle.guard ?? 0)}, which lets one thread at a time into the cycle: reported, not failed.`
        : '';
  return {
    kind: 'lock-order-cycle',
    severity: cycle.benign === undefined ? 'error' : 'info',
    message: `Lock order cycle${language === 'python' ? ' in Python' : ''}: ${hops.map(hopText).join(', ')}.${crossRelease}${why}`,
    evidence: {
      // A cycle first seen harmless is reported again, as a hazard, when an edge escapes its guard.
      signature: `lock-order:${cycle.signature}${cycle.benign !== undefined ? `|${cycle.benign}` : ''}`,
      ...(language !== undefined ? { language } : {}),
      classes: cycle.classes,
      edges: hops,
      ...(cycle.benign !== undefined ? { benign: cycle.benign } : {}),
      scenario: interleavingTable(
        hops.map((h) => h.thread),
        hops.map((h) => ({ first: h.from, then: h.to, ...(h.kind !== undefined ? { kind: h.kind } : {}) })),
      ),
    },
  };
}
