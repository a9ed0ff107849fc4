/**
 * The hang detector: which harness threads have stopped, from plain readings of the board.
 *
 * Pure: each look passes in what the board showed (state, progress signature, heartbeat per
 * slot) and the time; the detector keeps, per thread, when its heartbeat and its counters last
 * moved, and answers the threads to report, once per run.
 *
 * The rules:
 * - a producer (or any harness thread but main) is stuck when its counters have not moved for
 *   the hang window while it is not finished;
 * - the main thread beats from its event loop: it is stuck when neither its heartbeat nor its
 *   counters moved for the window. A loop blocked by a long synchronous stretch that still logs
 *   record after record is a stall (loop-stall.ts reports it when it ends), not a hang;
 * - when no counter of any thread moved for the window while a harness thread has work left,
 *   every unfinished harness thread is named;
 * - output the sink keeps receiving is progress (`outputGrew`, from the wedge detector): the
 *   logger is writing on the harness threads' behalf, however long they wait.
 *
 * Its clock is the watchdog's LoadClock (util/cpu-clock.ts), not the wall: time the process's
 * threads stood ready without a CPU is not counted against anyone's progress.
 */

import { FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_PRODUCERS, type ThreadState } from '../sync/board.js';
import type { ThreadStatus } from '../contract/protocol.js';
import type { Finding } from '../contract/result.js';
import type { LoadSeen } from '../util/cpu-clock.js';

/** What one look at the board shows of a slot: the cheap words only. */
export interface SlotReading {
  readonly slot: number;
  readonly state: ThreadState;
  /** Everything that moves when the thread makes progress, as one number (Board.progressOf). */
  readonly signature: number;
  readonly heartbeat: number;
}

/** When a thread's heartbeat and counters last moved, in the detector's clock. */
export interface Track {
  heartbeat: number;
  heartbeatAt: number;
  signature: number;
  progressAt: number;
}

export const finished = (state: ThreadState): boolean => state === 'free' || state === 'done' || state === 'dead';

/** Threads the harness started: their being stuck is a hang. A logger's own idle threads are not. */
export const harnessThread = (slot: number): boolean => slot === MAIN_SLOT || (slot >= FIRST_PRODUCER_SLOT && slot < FIRST_PRODUCER_SLOT + MAX_PRODUCERS);

export class HangDetector {
  readonly #hangMs: number;
  readonly #tracks = new Map<number, Track>();
  #globalSignature = -1;
  #globalProgressAt: number;
  #reported = false;

  constructor(hangMs: number, now: number) {
    this.#hangMs = hangMs;
    this.#globalProgressAt = now;
  }

  /** Every slot seen so far, with when it last moved. */
  get tracks(): ReadonlyMap<number, Readonly<Track>> {
    return this.#tracks;
  }

  /**
   * One look: moves each thread's clocks and answers the threads stuck by their own counters.
   * `readings` holds every slot in use but the watchdog's.
   */
  observe(now: number, readings: readonly SlotReading[]): number[] {
    const stuck: number[] = [];
    for (const r of readings) {
      let track = this.#tracks.get(r.slot);
      if (track === undefined) {
        track = { heartbeat: r.heartbeat, heartbeatAt: now, signature: r.signature, progressAt: now };
        this.#tracks.set(r.slot, track);
      }
      if (r.heartbeat !== track.heartbeat) {
        track.heartbeat = r.heartbeat;
        track.heartbeatAt = now;
      }
      if (r.signature !== track.signature) {
        track.signature = r.signature;
        track.progressAt = now;
      }
      // Start-up (loading a logger's modules, creating it, spawning producer processes and
      // waiting at the start gate, which on a loaded machine takes seconds) logs nothing and is
      // not counted against progress (issue 13): a starting thread counts as moving. A start-up
      // that never ends meets the run's deadline, which the supervisor reports as a hang.
      if (r.state === 'starting') track.progressAt = now;
      if (finished(r.state) || !harnessThread(r.slot)) continue;
      const still = now - track.progressAt > this.#hangMs;
      if (r.slot === MAIN_SLOT ? still && now - track.heartbeatAt > this.#hangMs : still) stuck.push(r.slot);
    }
    return stuck;
  }

  /** The sink's output grew: no thread counts as stopped meanwhile. */
  outputGrew(now: number): void {
    this.#globalProgressAt = now;
    for (const track of this.#tracks.values()) track.progressAt = now;
  }

  /**
   * The end of a look: the threads to report as hung (those `observe` found, or, when nothing
   * anywhere moved for the window while work remains, every unfinished harness thread), once
   * per run; undefined otherwise.
   */
  decide(now: number, readings: readonly SlotReading[], stuck: readonly number[]): number[] | undefined {
    const signature = readings.reduce((sum, r) => sum + r.signature, 0);
    const working = readings.filter((r) => harnessThread(r.slot) && !finished(r.state)).map((r) => r.slot);
    let hung = [...stuck];
    if (signature !== this.#globalSignature || readings.some((r) => r.state === 'starting')) {
      this.#globalSignature = signature;
      this.#globalProgressAt = now;
    } else if (working.length > 0 && now - this.#globalProgressAt > this.#hangMs && hung.length === 0) {
      // Nothing anywhere moved: name the harness threads that wait for it.
      hung = working;
    }
    if (this.#reported || hung.length === 0) return undefined;
    this.#reported = true;
    return hung;
  }
}

/**
 * What the load clock saw over a window, as a clause of a finding's message: the wall time the
 * window spanned and the part of it not counted. Empty when the machine gave the process its CPU.
 */
export function loadClause(load: LoadSeen | undefined): string {
  if (load === undefined || load.starvedMs < 1) return '';
  const average = load.loadAverage !== undefined ? `, load average ${load.loadAverage}` : '';
  const why = load.source === 'schedstat' ? "the process's threads stood ready without a CPU" : "the watchdog's own looks came late";
  return ` (counted on the process's CPU clock: the window spanned ${load.wallMs} ms of wall time, ${load.starvedMs} ms of which ${why}${average})`;
}

/**
 * The hang finding: the stuck threads first, each with what it was doing and waiting on, then
 * the others that wait. `pollMs` is the watchdog's look interval: a main thread whose loop did
 * not beat for ten of them is described as a blocked loop. `load`: what the watchdog's clock saw
 * of the machine over the window (evidence.load).
 */
export function hangFinding(stuck: readonly string[], threads: readonly ThreadStatus[], hangMs: number, pollMs: number, extra: Record<string, unknown> = {}, load?: LoadSeen): Finding {
  const describe = (t: ThreadStatus): string => {
    const waiting =
      t.waiting !== undefined
        ? `, waiting on ${t.waiting.on}${t.waiting.holders !== undefined && t.waiting.holders.length > 0 ? ` held by ${t.waiting.holders.join(', ')}` : ''} for ${t.waiting.forMs} ms`
        : '';
    const what =
      // A loop that turns beats every 10 ms: a tenth of a second without a beat is a blocked loop.
      t.slot === MAIN_SLOT && t.heartbeatAgeMs > pollMs * 10
        ? `main event loop blocked for ${t.heartbeatAgeMs} ms in ${t.op}`
        : `${t.name} stuck in ${t.op} for ${t.progressAgeMs} ms${t.target > 0 ? ` (${t.produced} of ${t.target} records)` : ''}`;
    return what + waiting;
  };
  const others = threads.filter((t) => !stuck.includes(t.name) && t.waiting !== undefined);
  return {
    kind: 'hang',
    severity: 'error',
    message: `No progress for ${hangMs} ms${loadClause(load)}: ${threads
      .filter((t) => stuck.includes(t.name))
      .map(describe)
      .join('; ')}${others.length > 0 ? `. Also waiting: ${others.map(describe).join('; ')}` : ''}`,
    evidence: { windowMs: hangMs, stuck, threads, ...(load !== undefined ? { load } : {}), ...extra },
  };
}
