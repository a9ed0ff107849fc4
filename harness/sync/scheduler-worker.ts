/**
 * The coordinator of a controlled run (see schedule.ts). It lets one thread at a time go from
 * one scheduling point to the next:
 *
 * 1. it waits until every thread of the run is held at a point, parked on a wait the board
 *    shows, or finished; a thread that stays between points longer than QUIET_MS (off in its
 *    event loop, in I/O) is left to run free until its next point;
 * 2. it picks who goes next: a preemption due at this step, while the thread that went last is
 *    held and others are too, switches to the j-th of the others by slot; otherwise the thread
 *    that went last goes on, or the lowest slot when it cannot (a switch that is not a
 *    preemption, and uses none up);
 * 3. it grants that thread's point and counts a step.
 *
 * It keeps the last TRACE decisions and sends them as a `schedule` event when the run stands
 * still (everyone parked: a deadlock) and when the run ends.
 */

import { workerData } from 'node:worker_threads';
import { rawNotify, rawWait } from './atomics.js';
import { Board, FIRST_PRODUCER_SLOT, WATCHDOG_SLOT } from './board.js';
import { EventChannel, type ChannelHandle } from './channel.js';
import { P_AT, P_COUNT, P_GRANT, P_KIND, POINT_KINDS, S_ABANDONED, S_EXPECT, S_GO, S_STEP, S_STOP, S_TICK, S_WAKE, slotWord } from './schedule.js';
import type { Preemption } from '../contract/schedule-spec.js';
import { StringTable } from './strings.js';
import { LOCK_STRIDE } from './runtime.js';

export interface SchedulerData {
  readonly schedule: SharedArrayBuffer;
  readonly board: SharedArrayBuffer;
  readonly locks: SharedArrayBuffer;
  readonly strings: SharedArrayBuffer;
  readonly channel: ChannelHandle;
  readonly preemptions: readonly Preemption[];
  readonly slots: number;
}

/** How long a thread may take from one point to the next before it is left to run free. */
const QUIET_MS = 1500;
/** A thread still starting up (loading the adapter, creating its logger) is waited for longer. */
const STARTING_MS = 5000;
/** Decisions kept for the report; LOGJAM_SCHEDULE_TRACE=N keeps more. */
const TRACE = Number(process.env['LOGJAM_SCHEDULE_TRACE']) || 64;
const FINISHED = new Set(['free', 'done', 'dead']);

const data = workerData as SchedulerData;
const w = new Int32Array(data.schedule);
const board = new Board(data.board);
const locks = new Int32Array(data.locks);
const strings = new StringTable(data.strings);
const channel = new EventChannel(data.channel);
const preemptions = [...data.preemptions].sort((a, b) => a.at - b.at);

const trace: string[] = [];
const runningSince = new Map<number, number>();
let step = 0;
let current = -1;
let nextPreemption = 0;
let applied = 0;
let reportedStill = false;
let stillTicks = 0;
/** Virtual-time ticks given to a run where everyone is parked before it counts as standing still. */
const STILL_TICKS = 3;

/**
 * Parked, and staying so: a thread whose instrumented wait's word has already moved (it was
 * notified, or the lock it waits for was released) is waking up, and counts as running until
 * it shows up at a point or parks again (for QUIET_MS at most, like any running thread).
 */
function isParked(slot: number): boolean {
  const row = board.read(slot);
  const wait = row.wait;
  if (wait === undefined) return row.state === 'waiting';
  if (wait.kind === 'raw' || wait.id <= 0) return true;
  return Atomics.load(locks, wait.id * LOCK_STRIDE + wait.index) === wait.value;
}

const name = (slot: number): string => strings.read(board.read(slot).name) || `slot-${slot}`;

function sendTrace(reason: 'still' | 'end'): void {
  channel.send({
    type: 'schedule',
    reason,
    steps: step,
    preemptionsApplied: applied,
    abandoned: Atomics.load(w, S_ABANDONED) !== 0,
    trace: [...trace],
  });
}

for (;;) {
  if (Atomics.load(w, S_STOP) !== 0) break;
  const wake = Atomics.load(w, S_WAKE);
  if (Atomics.load(w, S_GO) === 0) {
    rawWait(w, S_WAKE, wake, 20);
    continue;
  }
  const now = performance.now();
  const held: number[] = [];
  let running = 0;
  let parked = 0;
  for (let slot = 0; slot < data.slots; slot++) {
    // Every thread of the run counts, not only those that reached a point already: one still on
    // its way to its first point must be waited for, or who goes first depends on start-up timing.
    if (slot === WATCHDOG_SLOT || board.stateOf(slot) === 'free') continue;
    const at = Atomics.load(w, slotWord(slot, P_AT));
    if (at !== 0 && Atomics.load(w, slotWord(slot, P_GRANT)) !== at) {
      held.push(slot);
      runningSince.delete(slot);
    } else if (FINISHED.has(board.stateOf(slot))) {
      runningSince.delete(slot);
    } else if (isParked(slot)) {
      // Parked on a wait the board shows, or a harness thread awaiting events in its loop.
      parked++;
      runningSince.delete(slot);
    } else {
      const since = runningSince.get(slot);
      if (since === undefined) runningSince.set(slot, now);
      const bound = board.stateOf(slot) === 'starting' ? STARTING_MS : QUIET_MS;
      if (since === undefined || now - since < bound) running++;
    }
  }
  // The first decision waits for every producer's first point: who goes first must not depend
  // on which thread the machine woke first at the start gate.
  const expect = Atomics.load(w, S_EXPECT);
  let arriving = 0;
  for (let slot = FIRST_PRODUCER_SLOT; step === 0 && slot < FIRST_PRODUCER_SLOT + expect; slot++) {
    if (Atomics.load(w, slotWord(slot, P_COUNT)) === 0 && !FINISHED.has(board.stateOf(slot))) arriving++;
  }
  if (arriving > 0) {
    rawWait(w, S_WAKE, wake, 1);
    continue;
  }
  if (running > 0 || held.length === 0) {
    if (held.length === 0 && running === 0 && parked > 0) {
      // Everyone is parked. Time passes (virtual time: timed waits time out now, at this step,
      // in every replay); if it has passed a few times and still nothing moves, the schedule
      // led somewhere nothing moves again: say where.
      stillTicks++;
      // Said at once too: a deadlock ends the run's process 300 ms after it forms.
      if (stillTicks === 1) sendTrace('still');
      if (stillTicks <= STILL_TICKS) {
        Atomics.add(w, S_TICK, 1);
        trace.push(`${step}: time passes (every thread parked)`);
        if (trace.length > TRACE) trace.shift();
      } else if (!reportedStill) {
        reportedStill = true;
        sendTrace('still');
      }
    }
    rawWait(w, S_WAKE, wake, held.length === 0 && running === 0 ? 10 : 1);
    continue;
  }
  reportedStill = false;
  stillTicks = 0;
  let pick: number;
  let preempted = false;
  const due = preemptions[nextPreemption];
  const others = held.filter((slot) => slot !== current);
  if (due !== undefined && due.at <= step && others.length > 0 && others.length < held.length) {
    nextPreemption++;
    pick = others[due.pick % others.length] as number;
    preempted = true;
    applied++;
  } else {
    if (due !== undefined && due.at <= step && !held.includes(current)) nextPreemption++;
    pick = held.includes(current) ? current : (held[0] as number);
  }
  const kind = POINT_KINDS[Atomics.load(w, slotWord(pick, P_KIND))] ?? '?';
  trace.push(`${step}: ${name(pick)} at ${kind}${preempted ? ' (preemption)' : ''}${held.length > 1 ? ` [of ${held.map(name).join(', ')}]` : ''}`);
  if (trace.length > TRACE) trace.shift();
  current = pick;
  step++;
  Atomics.store(w, S_STEP, step);
  Atomics.store(w, slotWord(pick, P_GRANT), Atomics.load(w, slotWord(pick, P_AT)));
  rawNotify(w, slotWord(pick, P_GRANT));
}
sendTrace('end');
