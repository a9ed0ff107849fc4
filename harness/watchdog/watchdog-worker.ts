/**
 * The watchdog thread of a run. It reads the status board and the lock tables every few
 * milliseconds and writes straight to the supervisor's event channel, so it reports even when
 * every other thread of the child is parked, spinning or blocked in native code.
 *
 * It flags:
 * - `lock-order-cycle`: new edges in the class-level lock-order graph that close a cycle;
 * - `deadlock`: a cycle in the wait-for graph (the blocking thread checks before it parks;
 *   this is the second look, for waits that raced);
 * - `hang`: the main thread's event loop blocked, a producer stuck, or no progress counter of
 *   any thread moving while work remains, with every thread's board entry and Node's
 *   diagnostic report;
 * - main-thread `event-loop-stall`.
 */

import { workerData } from 'node:worker_threads';
import { Board, FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_PRODUCERS, MAX_THREADS, WATCHDOG_SLOT, type BoardRow } from '../sync/board.js';
import { EventChannel } from '../sync/channel.js';
import { LockOrderGraph, type OrderCycle, type OrderEdge } from '../sync/lockgraph.js';
import { firstFrame, type ThreadStatus, type ThreadWait } from '../contract/protocol.js';
import type { Finding } from '../contract/result.js';
import { StringTable } from '../sync/strings.js';
import { LivenessProbe } from './liveness.js';
import {
  deadlockFinding,
  E_FROM_CLASS,
  E_GUARD0,
  E_GUARDS,
  E_READY,
  E_SITE,
  E_SLOT,
  E_TO_CLASS,
  EDGE_HEADER,
  EDGE_STRIDE,
  cycleHolds,
  findWaitCycle,
  interleavingTable,
  lockName,
  SITE_WAIT_MS,
  waitSeqs,
  type SyncShared,
} from '../sync/runtime.js';

export interface WatchdogData {
  readonly shared: SyncShared;
  readonly hangMs: number;
  /** The run's folder: the liveness probe watches its sink files. */
  readonly sinkDir?: string;
  /** Milliseconds between two looks at the board. */
  readonly pollMs: number;
  /** Milliseconds between two progress events to the supervisor. */
  readonly progressMs: number;
}

interface Track {
  heartbeat: number;
  heartbeatAt: number;
  signature: number;
  progressAt: number;
}

const data = workerData as WatchdogData;
const board = new Board(data.shared.board);
const strings = new StringTable(data.shared.strings);
const locks = new Int32Array(data.shared.locks);
const edges = new Int32Array(data.shared.edges);
const channel = new EventChannel(data.shared.channel);
const self = board.row(WATCHDOG_SLOT);
self.identify(strings.intern('watchdog'), 0);
const tracks = new Map<number, Track>();
const graph = new LockOrderGraph();
const reported = new Set<string>();
let edgesRead = 0;
let hangReported = false;
let lastProgressEvent = 0;
let globalProgress = -1;
let globalProgressAt = performance.now();
const liveness = data.sinkDir !== undefined ? new LivenessProbe(data.sinkDir, data.hangMs, performance.now()) : undefined;
let livenessAt = 0;
let wedgeReported = false;

const view = {
  board,
  strings,
  lockName: (id: number): string => lockName(locks, strings, id),
};

function threadName(slot: number, row: BoardRow): string {
  const named = strings.read(row.name);
  if (named !== '') return named;
  if (slot === MAIN_SLOT) return 'main';
  if (slot >= FIRST_PRODUCER_SLOT && slot < FIRST_PRODUCER_SLOT + MAX_PRODUCERS) return `producer-${slot - FIRST_PRODUCER_SLOT}`;
  return `thread-${row.threadId}`;
}

const finished = (state: string): boolean => state === 'free' || state === 'done' || state === 'dead';
/** Threads the harness started: their being stuck is a hang. A logger's own idle threads are not. */
const harnessThread = (slot: number): boolean => slot === MAIN_SLOT || (slot >= FIRST_PRODUCER_SLOT && slot < FIRST_PRODUCER_SLOT + MAX_PRODUCERS);

/**
 * One look at the board, kept cheap: counters and states only. The full description of every
 * thread is built for the periodic progress event and for a hang report.
 */
function look(): void {
  const now = performance.now();
  const elapsed = channel.elapsedMs();
  self.beat();
  readEdges();
  const stuck: number[] = [];
  let progress = 0;
  let workRemains = false;
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    if (slot === WATCHDOG_SLOT) continue;
    const state = board.stateOf(slot);
    if (state === 'free') continue;
    const signature = board.progressOf(slot);
    const heartbeat = board.heartbeatOf(slot);
    progress += signature;
    let track = tracks.get(slot);
    if (track === undefined) {
      track = { heartbeat, heartbeatAt: now, signature, progressAt: now };
      tracks.set(slot, track);
    }
    // A stall of the main loop that ends is the main thread's own report (loop-stall.ts); one
    // that does not end is a hang, below.
    if (heartbeat !== track.heartbeat) {
      track.heartbeat = heartbeat;
      track.heartbeatAt = now;
    }
    if (signature !== track.signature) {
      track.signature = signature;
      track.progressAt = now;
    }
    const busy = !finished(state);
    if (harnessThread(slot) && busy) workRemains = true;
    // The main thread beats from its event loop: a stale heartbeat means the loop is blocked.
    // A loop blocked by a long synchronous stretch that still logs record after record is a
    // stall (reported when it ends), not a hang: a hang also needs its counters to stand still.
    // Producers prove progress through their state and record counters alone.
    if (busy && slot === MAIN_SLOT && now - track.heartbeatAt > data.hangMs && now - track.progressAt > data.hangMs) stuck.push(slot);
    if (busy && slot !== MAIN_SLOT && harnessThread(slot) && now - track.progressAt > data.hangMs) stuck.push(slot);
    if (board.waitingOnLock(slot) !== 0) checkDeadlock(slot, elapsed);
  }
  if (liveness !== undefined && now - livenessAt >= LIVENESS_MS) {
    livenessAt = now;
    checkLiveness(now);
  }
  if (progress !== globalProgress) {
    globalProgress = progress;
    globalProgressAt = now;
  } else if (workRemains && now - globalProgressAt > data.hangMs && stuck.length === 0) {
    // Nothing anywhere moved: name the harness threads that wait for it.
    for (const slot of tracks.keys()) if (harnessThread(slot) && !finished(board.stateOf(slot))) stuck.push(slot);
  }
  if (!hangReported && stuck.length > 0) {
    hangReported = true;
    const statuses = describeAll(now, elapsed);
    reportHang(
      statuses.filter((s) => stuck.includes(s.slot)).map((s) => s.name),
      statuses,
    );
  }
  if (now - lastProgressEvent >= data.progressMs) {
    lastProgressEvent = now;
    const statuses = describeAll(now, elapsed);
    channel.send({ type: 'progress', elapsedMs: elapsed, produced: statuses.reduce((sum, s) => sum + s.produced, 0), threads: statuses });
  }
}

/** Looks at the sink files this often: a readdir and a few stats, not worth every 10 ms poll. */
const LIVENESS_MS = 100;
const producerBeats = new Map<number, number>();

/**
 * Output that grows is progress (a backlog being flushed); output that stops growing while the
 * harness threads keep logging, and keep turning their event loops, is a wedge.
 */
function checkLiveness(now: number): void {
  if (liveness === undefined) return;
  let produced = 0;
  for (const slot of tracks.keys()) {
    if (!harnessThread(slot)) continue;
    const row = board.read(slot);
    produced += row.produced;
    const beat = board.heartbeatOf(slot);
    if (producerBeats.get(slot) !== beat && row.state === 'running') liveness.yielded();
    producerBeats.set(slot, beat);
  }
  if (liveness.sample(now, produced).grew) {
    // The logger is writing on the harness threads' behalf: none of them is hung meanwhile.
    globalProgressAt = now;
    for (const track of tracks.values()) track.progressAt = now;
    return;
  }
  const wedge = liveness.wedge(now, produced);
  if (wedge === undefined || wedgeReported) return;
  wedgeReported = true;
  const threads = describeAll(now, channel.elapsedMs());
  // Per thread: loggers that share one queue (a listener's) report the same bytes on each
  // thread, so the message quotes the largest, never a sum.
  const buffered = threads.filter((t) => t.buffered !== undefined).map((t) => ({ thread: t.name, bytes: t.buffered as number }));
  const bufferedBytes = buffered.length > 0 ? Math.max(...buffered.map((b) => b.bytes)) : undefined;
  const held =
    bufferedBytes !== undefined
      ? `; the logger reports ${bufferedBytes} bytes buffered, unwritten`
      : '; the logger does not say what it holds buffered (no buffered() in its adapter)';
  channel.send({
    type: 'finding',
    finding: {
      kind: 'hang',
      severity: 'error',
      message: `Wedge: the sink stopped growing for ${wedge.stalledMs} ms at ${wedge.sinkBytes} bytes while ${wedge.producedSinceGrowth} more records were logged${held}`,
      evidence: {
        wedge: true,
        ...wedge,
        ...(bufferedBytes !== undefined ? { bufferedBytes, buffered } : {}),
        threads,
        signature: 'liveness-wedge',
      },
    },
  });
}

function describeAll(now: number, elapsed: number): ThreadStatus[] {
  const rows = new Map<number, BoardRow>();
  for (const slot of tracks.keys()) rows.set(slot, board.read(slot));
  const names = new Map([...rows].map(([slot, row]) => [slot, threadName(slot, row)]));
  return [...rows].map(([slot, row]) => describeThread(slot, row, names, now, tracks.get(slot) as Track, elapsed));
}

function describeThread(slot: number, row: BoardRow, names: Map<number, string>, now: number, track: Track, elapsed: number): ThreadStatus {
  return {
    slot,
    name: names.get(slot) ?? `slot-${slot}`,
    state: row.state,
    op: row.op,
    produced: row.produced,
    target: row.target,
    heartbeatAgeMs: Math.round(now - track.heartbeatAt),
    progressAgeMs: Math.round(now - track.progressAt),
    ...(row.progress !== 0 ? { progress: row.progress } : {}),
    ...(row.held.length > 0 ? { held: row.held.map((h) => ({ lock: view.lockName(h.lock), site: strings.read(h.site) })) } : {}),
    ...(row.wait !== undefined ? { waiting: describeWait(row, names, elapsed) } : {}),
    ...(row.buffered !== undefined ? { buffered: row.buffered } : {}),
  };
}

function describeWait(row: BoardRow, names: Map<number, string>, elapsed: number): ThreadWait {
  const wait = row.wait;
  if (wait === undefined) throw new Error('describeWait needs a waiting row: this is a harness bug');
  const forMs = Math.max(0, elapsed - wait.since);
  const site = strings.read(wait.site);
  if (wait.kind === 'raw') {
    const notifiedBy = [...names].filter(([s]) => {
      const r = board.read(s);
      return r.notifies > 0 && r.lastNotify.length === wait.id && r.lastNotify.index === wait.index;
    });
    return {
      kind: 'raw Atomics.wait',
      on: `a ${wait.id}-byte SharedArrayBuffer, index ${wait.index}`,
      value: wait.value,
      site,
      forMs,
      notifiedBy: notifiedBy.map(([, n]) => n),
    };
  }
  const holders = wait.kind === 'lock' || wait.kind === 'lock-shared' ? board.holders(wait.id).map((s) => names.get(s) ?? `slot-${s}`) : undefined;
  return { kind: wait.kind, on: view.lockName(wait.id), ...(holders !== undefined ? { holders } : {}), site, forMs };
}

/** Each wait-for cycle the watchdog has seen and not yet reported: since when, and each thread's wait then. */
const firstSeen = new Map<string, { readonly since: number; readonly seqs: readonly number[] }>();

function checkDeadlock(slot: number, elapsed: number): void {
  const cycle = findWaitCycle(board, slot);
  if (cycle === undefined) return;
  const finding = deadlockFinding(view, cycle, elapsed);
  const signature = String(finding.evidence['signature']);
  if (reported.has(signature)) return;
  // A cycle is reported only when a later look finds it again with every thread in the same
  // wait: one look reads the board row by row and can see a thread that has just released a
  // lock still holding it. The thread closing the cycle reports it with every wait site once
  // they are captured; a loaded machine can take a while to run the others that far, so the
  // watchdog waits as long before it reports the cycle without them.
  const seqs = waitSeqs(board, cycle);
  const seen = firstSeen.get(signature);
  if (seen === undefined || seen.seqs.join() !== seqs.join() || !cycleHolds(board, cycle, seen.seqs)) {
    firstSeen.set(signature, { since: elapsed, seqs });
    return;
  }
  const sitesMissing = cycle.some((step) => board.read(step.slot).wait?.site === 0);
  if (sitesMissing && elapsed - seen.since < SITE_WAIT_MS) return;
  reported.add(signature);
  channel.send({ type: 'finding', finding: { ...finding, evidence: { ...finding.evidence, detectedBy: 'watchdog' } } });
}

/** Reads edges published since the last look; an edge still being written is read next time. */
function readEdges(): void {
  const count = Math.min(Atomics.load(edges, 0), (edges.length - EDGE_HEADER) / EDGE_STRIDE);
  while (edgesRead < count) {
    const at = EDGE_HEADER + edgesRead * EDGE_STRIDE;
    if (Atomics.load(edges, at + E_READY) !== 1) return;
    edgesRead++;
    const slot = Atomics.load(edges, at + E_SLOT);
    const guards: number[] = [];
    for (let i = 0; i < Atomics.load(edges, at + E_GUARDS); i++) guards.push(Atomics.load(edges, at + E_GUARD0 + i));
    const edge: OrderEdge = {
      from: strings.read(Atomics.load(edges, at + E_FROM_CLASS)),
      to: strings.read(Atomics.load(edges, at + E_TO_CLASS)),
      thread: threadName(slot, board.read(slot)),
      site: strings.read(Atomics.load(edges, at + E_SITE)),
      guards,
    };
    const cycle = graph.add(edge);
    if (cycle !== undefined) channel.send({ type: 'finding', finding: lockOrderFinding(cycle) });
  }
}


function lockOrderFinding(cycle: OrderCycle): Finding {
  const hops = cycle.classes.map((from, i) => {
    const to = cycle.classes[(i + 1) % cycle.classes.length] as string;
    // Show the edge that makes the cycle dangerous: the one taken under the fewest guards.
    const edges = [...(cycle.hops[i] ?? [])].sort((a, b) => a.guards.length - b.guards.length);
    const edge = edges[0];
    return { from, to, thread: edge?.thread ?? '?', site: edge?.site ?? '', guards: edge?.guards.map((g) => view.lockName(g)) ?? [], threads: [...new Set(edges.map((e) => e.thread))] };
  });
  const why =
    cycle.benign === 'single-thread'
      ? ' Every edge was taken by one thread, which cannot wait on itself this way: reported, not failed.'
      : cycle.benign === 'common-guard'
        ? ` Every edge was taken holding ${view.lockName(cycle.guard ?? 0)}, which lets one thread at a time into the cycle: reported, not failed.`
        : '';
  return {
    kind: 'lock-order-cycle',
    severity: cycle.benign === undefined ? 'error' : 'info',
    message: `Lock order cycle: ${hops.map((h) => `${h.from} → ${h.to} (${h.thread} at ${firstFrame(h.site)})`).join(', ')}.${why}`,
    evidence: {
      // A cycle first seen harmless is reported again, as a hazard, when an edge escapes its guard.
      signature: `lock-order:${cycle.signature}${cycle.benign !== undefined ? `|${cycle.benign}` : ''}`,
      classes: cycle.classes,
      edges: hops,
      ...(cycle.benign !== undefined ? { benign: cycle.benign } : {}),
      scenario: interleavingTable(
        hops.map((h) => h.thread),
        hops.map((h) => ({ first: h.from, then: h.to })),
      ),
    },
  };
}

function reportHang(stuck: readonly string[], threads: readonly ThreadStatus[]): void {
  const describe = (t: ThreadStatus): string => {
    const waiting = t.waiting !== undefined ? `, waiting on ${t.waiting.on}${t.waiting.holders !== undefined && t.waiting.holders.length > 0 ? ` held by ${t.waiting.holders.join(', ')}` : ''} for ${t.waiting.forMs} ms` : '';
    const what =
      // A loop that turns beats every 10 ms: a tenth of a second without a beat is a blocked loop.
      t.slot === MAIN_SLOT && t.heartbeatAgeMs > data.pollMs * 10
        ? `main event loop blocked for ${t.heartbeatAgeMs} ms in ${t.op}`
        : `${t.name} stuck in ${t.op} for ${t.progressAgeMs} ms${t.target > 0 ? ` (${t.produced} of ${t.target} records)` : ''}`;
    return what + waiting;
  };
  const others = threads.filter((t) => !stuck.includes(t.name) && t.waiting !== undefined);
  channel.send({
    type: 'finding',
    finding: {
      kind: 'hang',
      severity: 'error',
      message: `No progress for ${data.hangMs} ms: ${threads
        .filter((t) => stuck.includes(t.name))
        .map(describe)
        .join('; ')}${others.length > 0 ? `. Also waiting: ${others.map(describe).join('; ')}` : ''}`,
      evidence: { windowMs: data.hangMs, stuck, threads, ...diagnosticReport() },
    },
  });
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
