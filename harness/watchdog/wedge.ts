/**
 * The wedge detector: output that stops growing while the harness threads keep logging, and
 * keep turning their event loops, is a wedge (liveness.ts has the probe's rule).
 *
 * Pure: each look passes in the harness threads' board readings and the sink's size.
 */

import type { ThreadState } from '../sync/board.js';
import type { ThreadStatus } from '../contract/protocol.js';
import type { Finding } from '../contract/result.js';
import type { LoadSeen } from '../util/cpu-clock.js';
import { loadClause } from './hang.js';
import { BUSY_SHARE, LivenessProbe, type SinkSize, type Wedge } from './liveness.js';

/** What the wedge detector reads of a harness thread. */
export interface ProducerReading {
  readonly slot: number;
  readonly state: ThreadState;
  /** Records it has logged. */
  readonly produced: number;
  readonly heartbeat: number;
}

export type WedgeLook = { readonly grew: true } | { readonly grew: false; readonly wedge?: Wedge };

/** How often the sink is looked at: a readdir and a few stats, not worth every 10 ms poll. */
export const WEDGE_LOOK_MS = 100;

export class WedgeDetector {
  readonly #probe: LivenessProbe;
  readonly #beats = new Map<number, number>();
  #reported = false;
  /** Whether the process's CPU time has ever been read: where it never can be, its absence is no news. */
  #cpuKnown = false;

  constructor(windowMs: number, now: number) {
    this.#probe = new LivenessProbe(windowMs, now);
  }

  /**
   * One look: whether the output grew, and the wedge to report (once per run) when there is one.
   * `cpuMs`: the process's CPU time so far, where the OS says (liveness.ts: a busy process gets longer).
   */
  look(now: number, threads: readonly ProducerReading[], size: SinkSize | undefined, cpuMs?: number): WedgeLook {
    this.#cpuKnown ||= cpuMs !== undefined;
    let produced = 0;
    for (const t of threads) {
      produced += t.produced;
      // A running thread whose heartbeat moved turned its event loop since the last look.
      if (this.#beats.get(t.slot) !== t.heartbeat && t.state === 'running') this.#probe.yielded();
      this.#beats.set(t.slot, t.heartbeat);
    }
    if (this.#probe.sample(now, size, produced, cpuMs).grew) return { grew: true };
    // A look that could not read the sink's folder or the process's CPU time (a process out of
    // file descriptors fails both) says nothing: no verdict is drawn half blind.
    if (size === undefined || (cpuMs === undefined && this.#cpuKnown)) return { grew: false };
    const wedge = this.#probe.wedge(now, produced, cpuMs);
    if (wedge === undefined || this.#reported) return { grew: false };
    this.#reported = true;
    return { grew: false, wedge };
  }
}

/**
 * The wedge, reported as a `hang` with the sink's size, the records logged since it last grew,
 * and what the loggers say they hold buffered. Loggers that share one queue (a listener's)
 * report the same bytes on each thread, so the message quotes the largest, never a sum.
 * `load`: what the watchdog's clock saw of the machine while the sink stood still.
 */
export function wedgeFinding(wedge: Wedge, threads: readonly ThreadStatus[], load?: LoadSeen): Finding {
  const buffered = threads.flatMap((t) => (t.buffered !== undefined ? [{ thread: t.name, bytes: t.buffered }] : []));
  const bufferedBytes = buffered.length > 0 ? Math.max(...buffered.map((b) => b.bytes)) : undefined;
  const held =
    bufferedBytes !== undefined
      ? `; the logger reports ${bufferedBytes} bytes buffered, unwritten`
      : '; the logger does not say what it holds buffered (no buffered() in its adapter)';
  const busy = wedge.busyShare !== undefined && wedge.busyShare >= BUSY_SHARE ? `, the process's threads busy on ${wedge.busyShare} of a CPU meanwhile` : '';
  return {
    kind: 'hang',
    severity: 'error',
    message: `Wedge: the sink stopped growing for ${wedge.stalledMs} ms${loadClause(load)} at ${wedge.sinkBytes} bytes while ${wedge.producedSinceGrowth} more records were logged${busy}${held}`,
    evidence: {
      wedge: true,
      ...wedge,
      ...(bufferedBytes !== undefined ? { bufferedBytes, buffered } : {}),
      ...(load !== undefined ? { load } : {}),
      threads,
      signature: 'liveness-wedge',
    },
  };
}
