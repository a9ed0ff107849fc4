/**
 * The watchdog thread of a run. It reads the status board and the lock tables every few
 * milliseconds and writes straight to the supervisor's event channel, so it reports even when
 * every other thread of the child is parked, spinning or blocked in native code.
 *
 * This file only reads shared memory and sends; each detector decides on its own, from plain
 * readings:
 * - lock-order.ts: `lock-order-cycle`, new edges in the class-level lock-order graph that close a cycle;
 * - deadlock.ts: `deadlock`, a cycle in the wait-for graph (the blocking thread checks before
 *   it parks; this is the second look, for waits that raced);
 * - hang.ts: `hang`, the main thread's event loop blocked, a producer stuck, or no progress
 *   counter of any thread moving while work remains, with every thread's board entry and
 *   Node's diagnostic report;
 * - wedge.ts: `hang` too, when the sink stops growing while records keep being logged.
 * The main thread's `event-loop-stall` is measured by the main thread itself (loop-stall.ts).
 *
 * The hang and wedge windows run on a LoadClock (util/cpu-clock.ts): time during which a thread
 * of this process stood ready without a CPU is not counted, so a machine busy with other work
 * stretches the windows instead of tripping them, while a parked, hung process is judged at
 * wall speed. Their findings say what load the clock saw.
 */

import { loadavg } from 'node:os';
import { workerData } from 'node:worker_threads';
import { Board, MAX_THREADS, WATCHDOG_SLOT } from '../sync/board.js';
import { EventChannel } from '../sync/channel.js';
import { lockName, type SyncShared } from '../sync/runtime.js';
import { StringTable } from '../sync/strings.js';
import type { Finding } from '../contract/result.js';
import { LoadClock, ownThreadId, readSchedstats } from '../util/cpu-clock.js';
import { DeadlockDetector, type BoardView } from './deadlock.js';
import { describeAll, threadName } from './describe.js';
import { HangDetector, hangFinding, harnessThread, type SlotReading } from './hang.js';
import { measureSink } from './liveness.js';
import { LockOrderDetector } from './lock-order.js';
import { WEDGE_LOOK_MS, WedgeDetector, wedgeFinding } from './wedge.js';

export interface WatchdogData {
  readonly shared: SyncShared;
  readonly hangMs: number;
  /** The run's folder: the wedge detector watches its sink files. */
  readonly sinkDir?: string;
  /** Milliseconds between two looks at the board. */
  readonly pollMs: number;
  /** Milliseconds between two progress events to the supervisor. */
  readonly progressMs: number;
}

const data = workerData as WatchdogData;
const board = new Board(data.shared.board);
const strings = new StringTable(data.shared.strings);
const locks = new Int32Array(data.shared.locks);
const edges = new Int32Array(data.shared.edges);
const channel = new EventChannel(data.shared.channel);
const self = board.row(WATCHDOG_SLOT);
self.identify(strings.intern('watchdog'), 0);
const view: BoardView = { board, strings, lockName: (id) => lockName(locks, strings, id) };

/** How often the load clock reads the threads' run-queue waits: a readdir and a small read per thread. */
const LOAD_LOOK_MS = 100;
const started = performance.now();
/** This thread's own waits are left out: a late look delays the verdict, it stops no one's progress. */
const selfTid = ownThreadId();
let stats = readSchedstats(undefined, selfTid);
const clock = new LoadClock(started, LOAD_LOOK_MS, stats?.waits);
const hang = new HangDetector(data.hangMs, clock.now);
const deadlock = new DeadlockDetector(view);
const lockOrder = new LockOrderDetector(view.lockName);
const wedge = data.sinkDir !== undefined ? new WedgeDetector(data.hangMs, clock.now) : undefined;
let wedgeLookAt = 0;
let clockLookAt = started;
let progressEventAt = 0;

const send = (finding: Finding): void => channel.send({ type: 'finding', finding });

/** Every slot in use but the watchdog's: the cheap words only (state, counters, heartbeat). */
function readBoard(): SlotReading[] {
  const readings: SlotReading[] = [];
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    if (slot === WATCHDOG_SLOT) continue;
    const state = board.stateOf(slot);
    if (state !== 'free') readings.push({ slot, state, signature: board.progressOf(slot), heartbeat: board.heartbeatOf(slot) });
  }
  return readings;
}

/** One look at the board, kept cheap: full descriptions are built only to report. */
function look(): void {
  const wall = performance.now();
  if (wall - clockLookAt >= LOAD_LOOK_MS) {
    clockLookAt = wall;
    // One reading for both: the clock's waits, the wedge probe's CPU time.
    stats = readSchedstats(undefined, selfTid);
    clock.tick(wall, stats?.waits);
  }
  // The detectors' time: wall time less the time this process waited for a CPU.
  const now = clock.now;
  const elapsed = channel.elapsedMs();
  self.beat();
  for (const finding of lockOrder.look(edges, strings, (slot) => threadName(view, slot))) send(finding);
  const readings = readBoard();
  const stuck = hang.observe(now, readings);
  for (const r of readings) {
    if (board.waitingOnLock(r.slot) === 0) continue;
    const found = deadlock.check(r.slot, elapsed);
    if (found !== undefined) send(found);
  }
  if (wedge !== undefined && data.sinkDir !== undefined && wall - wedgeLookAt >= WEDGE_LOOK_MS) {
    wedgeLookAt = wall;
    const producers = readings.filter((r) => harnessThread(r.slot)).map((r) => ({ ...r, produced: board.read(r.slot).produced }));
    const seen = wedge.look(now, producers, measureSink(data.sinkDir), stats?.cpuMs);
    // Output that grows is the logger writing on the harness threads' behalf: none is hung meanwhile.
    if (seen.grew) hang.outputGrew(now);
    else if (seen.wedge !== undefined) send(wedgeFinding(seen.wedge, describeAll(view, hang.tracks, now, channel.elapsedMs()), clock.seen(seen.wedge.stalledMs, loadAverage())));
  }
  const hung = hang.decide(now, readings, stuck);
  if (hung !== undefined) {
    const threads = describeAll(view, hang.tracks, now, elapsed);
    const names = threads.filter((t) => hung.includes(t.slot)).map((t) => t.name);
    send(hangFinding(names, threads, data.hangMs, data.pollMs, diagnosticReport(), clock.seen(data.hangMs, loadAverage())));
  }
  if (wall - progressEventAt >= data.progressMs) {
    progressEventAt = wall;
    const threads = describeAll(view, hang.tracks, now, elapsed);
    channel.send({ type: 'progress', elapsedMs: elapsed, produced: threads.reduce((sum, s) => sum + s.produced, 0), threads });
  }
}

/** The 1-minute load average, where the OS keeps one (0 on Windows: not said). */
function loadAverage(): number | undefined {
  const [one] = loadavg();
  return one !== undefined && one > 0 ? one : undefined;
}

/** Node's diagnostic report, as much of it as answers from this thread. */
function diagnosticReport(): Record<string, unknown> {
  try {
    const report = process.report.getReport() as unknown as {
      libuv?: { type: string; is_active?: boolean; is_referenced?: boolean }[];
      workers?: unknown[];
      nativeStack?: { symbol: string }[];
    };
    const handles: Record<string, number> = {};
    for (const h of report.libuv ?? []) if (h.is_active === true) handles[h.type] = (handles[h.type] ?? 0) + 1;
    return { diagnosticReport: { activeHandles: handles, nativeStack: (report.nativeStack ?? []).slice(0, 8).map((f) => f.symbol) } };
  } catch (error: unknown) {
    return { diagnosticReport: `not available: ${error instanceof Error ? error.message : String(error)}` };
  }
}

self.set('running', 'idle');
setInterval(look, data.pollMs);
