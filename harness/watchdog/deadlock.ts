/**
 * The watchdog's deadlock detector: its second look at the wait-for graph, for waits that
 * raced (the thread that closes a cycle checks before it parks; see sync/runtime.ts).
 *
 * Pure over the board: it reads the rows it is shown and keeps, per cycle, when it was first
 * seen and each thread's wait then. The board is plain shared memory, so a unit test writes the
 * rows that put threads into a known state.
 */

import type { Board } from '../sync/board.js';
import type { StringTable } from '../sync/strings.js';
import type { Finding } from '../contract/result.js';
import { cycleHolds, deadlockFinding, findWaitCycle, SITE_WAIT_MS, waitSeqs } from '../sync/runtime.js';

/** What the detector reads: the board, and how locks and strings are named. */
export interface BoardView {
  readonly board: Board;
  readonly strings: StringTable;
  readonly lockName: (id: number) => string;
}

export class DeadlockDetector {
  readonly #view: BoardView;
  readonly #siteWaitMs: number;
  readonly #reported = new Set<string>();
  /** Each wait-for cycle seen and not yet reported: since when, and each thread's wait then. */
  readonly #firstSeen = new Map<string, { readonly since: number; readonly seqs: readonly number[] }>();

  constructor(view: BoardView, siteWaitMs = SITE_WAIT_MS) {
    this.#view = view;
    this.#siteWaitMs = siteWaitMs;
  }

  /**
   * A look at a thread that waits on a lock, `elapsedMs` into the run: the deadlock through it,
   * once per cycle, when a second look finds the same cycle with every thread in the same wait.
   *
   * One look reads the board row by row and can see a thread that has just released a lock
   * still holding it, hence the second. The thread closing the cycle reports it with every wait
   * site once they are captured; a loaded machine can take a while to run the others that far,
   * so the watchdog waits as long (`siteWaitMs`) before it reports the cycle without them.
   */
  check(slot: number, elapsedMs: number): Finding | undefined {
    const { board } = this.#view;
    const cycle = findWaitCycle(board, slot);
    if (cycle === undefined) return undefined;
    const finding = deadlockFinding(this.#view, cycle, elapsedMs);
    const signature = String(finding.evidence['signature']);
    if (this.#reported.has(signature)) return undefined;
    const seqs = waitSeqs(board, cycle);
    const seen = this.#firstSeen.get(signature);
    if (seen === undefined || seen.seqs.join() !== seqs.join() || !cycleHolds(board, cycle, seen.seqs)) {
      this.#firstSeen.set(signature, { since: elapsedMs, seqs });
      return undefined;
    }
    const sitesMissing = cycle.some((step) => board.read(step.slot).wait?.site === 0);
    if (sitesMissing && elapsedMs - seen.since < this.#siteWaitMs) return undefined;
    this.#reported.add(signature);
    return { ...finding, evidence: { ...finding.evidence, detectedBy: 'watchdog' } };
  }
}
