/**
 * The main thread's own measure of its event loop. A timer beats every few milliseconds; a
 * beat that comes late by more than the threshold ends a stall, reported with its length and
 * the operations the thread spent it in (time-weighted, from the board's op changes).
 *
 * The main thread measures this itself because only it knows when a stall ends before the
 * process does: a watchdog thread that looks every 10 ms misses a stall that ends just before
 * exit about as often as it sees it, and a run's verdict must not depend on that race.
 *
 * Time the thread spent held at logjam's own scheduling points (`--schedule pct|controlled`) is
 * logjam's doing, not the logger's: it is taken off the stall and off the operation it fell in.
 * So is time the thread stood ready without a CPU (its run-queue wait, cpu-clock.ts): a machine
 * busy with other work delays the beat, and that is not the logger blocking the loop. The wait is
 * sampled (wait-sampler.ts), so a stall may be credited up to 100 ms of the wait just before it
 * began: the error is on the side of not reporting.
 */

import type { Op } from '../sync/board.js';
import type { Finding } from '../contract/result.js';
import { WaitSampler } from '../contract/wait-sampler.js';

/** Operations whose blocking is the logger's documented, bounded shutdown or flush: waited for on purpose. */
const SHUTDOWN_OPS: ReadonlySet<Op> = new Set(['close', 'flush']);

export class LoopStallMeter {
  readonly #thresholdMs: number;
  readonly #report: (finding: Finding) => void;
  readonly #held: () => number;
  readonly #wait: WaitSampler;
  #beatAt: number;
  #heldAtBeat: number;
  #op: Op = 'idle';
  #opSince: number;
  #heldAtOp: number;
  /** Off until the scenario starts: loading the harness and the adapter's modules is not logging. */
  #armed = false;
  /** Milliseconds per operation since the last beat. */
  readonly #spent = new Map<Op, number>();

  /**
   * `held`: the thread's time held at scheduling points so far, in ms (scheduleHeldMs).
   * `starved`: the thread's cumulative run-queue wait in ms (readOwnRunQueueWait), undefined
   * where the OS does not say; then the gap is judged on the wall.
   */
  constructor(
    thresholdMs: number,
    report: (finding: Finding) => void,
    held: () => number = () => 0,
    starved: () => number | undefined = () => undefined,
    now = performance.now(),
  ) {
    this.#thresholdMs = thresholdMs;
    this.#report = report;
    this.#held = held;
    this.#wait = new WaitSampler(starved);
    this.#beatAt = now;
    this.#opSince = now;
    this.#heldAtBeat = held();
    this.#heldAtOp = this.#heldAtBeat;
  }

  /** The thread moved to another operation (hooked on the board row's `set`). */
  enter(op: Op, now = performance.now()): void {
    const held = this.#held();
    this.#spent.set(this.#op, (this.#spent.get(this.#op) ?? 0) + now - this.#opSince - (held - this.#heldAtOp));
    this.#op = op;
    this.#opSince = now;
    this.#heldAtOp = held;
  }

  /** Starts measuring: the scenario begins. */
  arm(now = performance.now()): void {
    this.#armed = true;
    this.beat(now);
  }

  /** A beat from the event loop, or a last look before the run reports it is done or exiting. */
  beat(now = performance.now()): void {
    const held = this.#held();
    const heldMs = held - this.#heldAtBeat;
    let gapMs = now - this.#beatAt - heldMs;
    let starvedMs = 0;
    if (this.#armed && gapMs > this.#thresholdMs) {
      // Only now is the wait worth a read: what the thread could not run for is not a stall.
      starvedMs = Math.min(gapMs, this.#wait.take());
      gapMs -= starvedMs;
    } else {
      this.#wait.tick(now - this.#beatAt);
    }
    if (this.#armed && gapMs > this.#thresholdMs) {
      this.enter(this.#op, now);
      this.#report(this.#finding(gapMs, heldMs, starvedMs));
    }
    this.#beatAt = now;
    this.#heldAtBeat = held;
    this.#spent.clear();
    this.#opSince = now;
    this.#heldAtOp = held;
  }

  #finding(gapMs: number, heldMs: number, starvedMs: number): Finding {
    // The run-queue wait is not placed in time: it is taken off each operation in proportion.
    const share = gapMs / (gapMs + starvedMs);
    const spent = [...this.#spent]
      .map(([op, ms]): [Op, number] => [op, ms * share])
      .filter(([, ms]) => ms >= 1)
      .sort((a, b) => b[1] - a[1]);
    const [mostly, mostlyMs] = spent[0] ?? [this.#op, gapMs];
    const inShutdown = SHUTDOWN_OPS.has(mostly) && mostlyMs >= gapMs / 2;
    const ops = Object.fromEntries(spent.map(([op, ms]) => [op, Math.round(ms)]));
    const evidence = {
      thread: 'main',
      gapMs: Math.round(gapMs),
      thresholdMs: this.#thresholdMs,
      op: mostly,
      opsMs: ops,
      ...(heldMs >= 1 ? { heldByScheduleMs: Math.round(heldMs) } : {}),
      ...(starvedMs >= 1 ? { starvedMs: Math.round(starvedMs) } : {}),
    };
    const notCounted = [
      ...(heldMs >= 1 ? [`${Math.round(heldMs)} ms held at logjam's scheduling points`] : []),
      ...(starvedMs >= 1 ? [`${Math.round(starvedMs)} ms the thread stood ready without a CPU`] : []),
    ];
    const besides = notCounted.length > 0 ? ` (besides ${notCounted.join(' and ')})` : '';
    return inShutdown
      ? {
          kind: 'event-loop-stall',
          // The documented shutdown waits for the sink by design and has its own bound
          // (exit-hang when it is overrun): a fact worth showing, not a defect.
          severity: 'info',
          message: `The main thread's event loop was blocked for ${Math.round(gapMs)} ms${besides}, ${Math.round(mostlyMs)} ms of it in the logger's documented ${mostly}, which waits synchronously for the sink`,
          evidence,
        }
      : {
          kind: 'event-loop-stall',
          severity: 'warning',
          message: `The main thread's event loop was blocked for ${Math.round(gapMs)} ms${besides}, ${Math.round(mostlyMs)} ms of it in ${mostly}`,
          evidence,
        };
  }
}
