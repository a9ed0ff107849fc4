/**
 * A clock of the time a process could run: wall time less the time its threads stood ready on a
 * run queue while the machine gave the CPU to others. Time-judged verdicts (the watchdog's hang
 * and wedge windows) run on it, so a machine busy with other work stretches their windows
 * instead of tripping them (issue 13: under two CPU-burning processes a slow sink's relay
 * waited seconds for a CPU and the watchdog called that a hang).
 *
 * Why run-queue waits and not CPU time: a hung thread (a deadlock, a lost wakeup) is parked and
 * uses no CPU at all, so a clock of CPU used would never let its window end. A parked thread
 * does not stand on a run queue either: while nothing of the process waits for a CPU the clock
 * runs at wall speed and a real hang is reported as promptly as on a quiet machine.
 *
 * The measure is Linux's per-thread schedstat (`/proc/self/task/<tid>/schedstat`, its second
 * field: nanoseconds spent ready but not running). Over each interval the clock takes off the
 * largest wait of any one thread: whichever thread the stuck work waits on, its own wait is at
 * most that, so the window it gets is never shorter than the time that thread could have run.
 * (The largest, not the sum: threads that wait side by side lose that time once, not once
 * each; a sum would let a crowd of busy threads hide a real hang for longer.)
 * Where schedstat cannot be read (another OS, a kernel without it), the clock falls back to its
 * caller's own lateness: a look that came late by more than its interval was itself starved.
 *
 * `LoadClock` is pure (readings are passed in); `readRunQueueWaits` is the one impure reader.
 */

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The calling thread's id (Linux), undefined where /proc/thread-self cannot be read. */
export function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The calling thread's cumulative run-queue wait in ms (its schedstat's second field), undefined
 * where the OS does not say. One small read: cheap enough for a heartbeat to take now and then.
 */
export function readOwnRunQueueWait(file = '/proc/thread-self/schedstat'): number | undefined {
  try {
    const ns = Number(readFileSync(file, 'latin1').split(' ')[1]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** One reading of a process's threads' schedstat: what the clock and the wedge probe take from it. */
export interface Schedstats {
  /** Cumulative run-queue wait per thread, in ms, by thread id (the second field). */
  readonly waits: Map<number, number>;
  /** The CPU time the threads read have used, in ms, summed (the first field). */
  readonly cpuMs: number;
}

/**
 * Every thread's schedstat of a process (this one by default), one readdir and one small read
 * per thread; undefined where the OS does not say. `skip`: a thread left out (the watchdog's
 * own: its lateness only delays its look, it stops no one's progress, and its CPU is not the
 * logger's).
 */
export function readSchedstats(taskDir = '/proc/self/task', skip?: number): Schedstats | undefined {
  let tids: string[];
  try {
    tids = readdirSync(taskDir);
  } catch {
    return undefined;
  }
  const waits = new Map<number, number>();
  let cpuNs = 0;
  for (const tid of tids) {
    if (Number(tid) === skip) continue;
    try {
      // "<ns on cpu> <ns waiting on a run queue> <timeslices>"
      const [onCpu, waiting] = readFileSync(`${taskDir}/${tid}/schedstat`, 'latin1').split(' ').map(Number);
      if (onCpu === undefined || waiting === undefined || !Number.isFinite(onCpu) || !Number.isFinite(waiting)) continue;
      waits.set(Number(tid), waiting / 1e6);
      cpuNs += onCpu;
    } catch {
      // The thread ended between readdir and read: its wait no longer matters, and its CPU time
      // leaves the sum, which the wedge probe allows for.
    }
  }
  return waits.size > 0 ? { waits, cpuMs: cpuNs / 1e6 } : undefined;
}

/** Cumulative run-queue wait per thread of a process, in ms, by thread id (readSchedstats). */
export function readRunQueueWaits(taskDir = '/proc/self/task', skip?: number): Map<number, number> | undefined {
  return readSchedstats(taskDir, skip)?.waits;
}

/** What the clock saw of the machine's load, for a finding's evidence. */
export interface LoadSeen {
  /** Wall milliseconds the window spanned. */
  readonly wallMs: number;
  /** Of them, milliseconds not counted: some thread of the process stood ready without a CPU (or the watchdog's own look came late). */
  readonly starvedMs: number;
  /** Where the starvation was read from. */
  readonly source: 'schedstat' | 'timer-lateness';
  /** The machine's load average (1 minute) when the finding was made, where the OS gives one. */
  readonly loadAverage?: number;
}

/** How far back the clock remembers its readings, to say how much wall time a window spanned. */
const HISTORY_MS = 120_000;

export class LoadClock {
  readonly #intervalMs: number;
  #wallAt: number;
  #counted: number;
  #waits: ReadonlyMap<number, number> | undefined;
  #source: LoadSeen['source'] = 'timer-lateness';
  /** (wall, counted) after each tick, oldest first. */
  readonly #history: { wall: number; counted: number }[] = [];

  /** `intervalMs`: how often the caller means to tick; a tick later than twice that was itself starved. */
  constructor(now: number, intervalMs: number, waits?: ReadonlyMap<number, number>) {
    this.#intervalMs = intervalMs;
    this.#wallAt = now;
    this.#counted = now;
    this.#waits = waits;
    this.#history.push({ wall: now, counted: now });
  }

  /** The counted time now: the time the detectors judge by. Starts at the wall time of the first reading. */
  get now(): number {
    return this.#counted;
  }

  /**
   * One reading: the wall time and, where known, every thread's cumulative run-queue wait
   * (readRunQueueWaits). Answers the counted time.
   */
  tick(now: number, waits: ReadonlyMap<number, number> | undefined): number {
    const dt = now - this.#wallAt;
    if (dt <= 0) return this.#counted;
    // The caller's own lateness: it meant to tick every interval.
    let starved = Math.max(0, dt - 2 * this.#intervalMs);
    if (waits !== undefined) {
      this.#source = 'schedstat';
      let most = 0;
      for (const [tid, ms] of waits) {
        // A thread born since the last reading waited all its wait within this interval.
        most = Math.max(most, ms - (this.#waits?.get(tid) ?? 0));
      }
      starved = Math.max(starved, most);
    }
    this.#counted += dt - Math.min(dt, starved);
    this.#wallAt = now;
    this.#waits = waits;
    this.#history.push({ wall: now, counted: this.#counted });
    while (this.#history.length > 2 && (this.#history[1]?.wall ?? now) < now - HISTORY_MS) this.#history.shift();
    return this.#counted;
  }

  /** What the last `countedMs` of counted time spanned in wall time, and how much of it was starved. */
  seen(countedMs: number, loadAverage?: number): LoadSeen {
    const from = this.#counted - countedMs;
    // The latest reading at or before `from`, else the oldest remembered.
    let start = this.#history[0] ?? { wall: this.#wallAt, counted: this.#counted };
    for (const h of this.#history) {
      if (h.counted > from) break;
      start = h;
    }
    const wallMs = Math.round(this.#wallAt - start.wall);
    const starvedMs = Math.max(0, Math.round(wallMs - (this.#counted - start.counted)));
    return { wallMs, starvedMs, source: this.#source, ...(loadAverage !== undefined ? { loadAverage: Math.round(loadAverage * 100) / 100 } : {}) };
  }
}
