/**
 * The watchdog thread of a run. It reads the status board every few milliseconds and writes
 * straight to the supervisor's event channel, so it reports even when every other thread of
 * the child is parked, spinning or blocked in native code.
 */

import { workerData } from 'node:worker_threads';
import { Board, FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_THREADS, WATCHDOG_SLOT, type BoardRow } from './board.js';
import { EventChannel, type ChannelHandle } from './channel.js';
import type { ThreadStatus } from './protocol.js';

export interface WatchdogData {
  readonly board: SharedArrayBuffer;
  readonly channel: ChannelHandle;
  readonly hangMs: number;
  readonly stallMs: number;
  /** Milliseconds between two looks at the board. */
  readonly pollMs: number;
  /** Milliseconds between two progress events to the supervisor. */
  readonly progressMs: number;
}

interface Track {
  heartbeat: number;
  heartbeatAt: number;
  signature: string;
  progressAt: number;
}

const data = workerData as WatchdogData;
const board = new Board(data.board);
const channel = new EventChannel(data.channel);
const self = board.row(WATCHDOG_SLOT);
const tracks = new Map<number, Track>();
let hangReported = false;
let lastProgressEvent = 0;

function threadName(slot: number): string {
  if (slot === MAIN_SLOT) return 'main';
  if (slot === WATCHDOG_SLOT) return 'watchdog';
  return `producer-${slot - FIRST_PRODUCER_SLOT}`;
}

const busy = (row: BoardRow): boolean => row.state !== 'free' && row.state !== 'done' && row.state !== 'dead';

function look(): void {
  const now = performance.now();
  self.beat();
  const statuses: ThreadStatus[] = [];
  const stuck: string[] = [];
  let produced = 0;
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    if (slot === WATCHDOG_SLOT) continue;
    const row = board.read(slot);
    if (row.state === 'free') continue;
    produced += row.produced;
    const signature = `${row.state}/${row.op}/${row.produced}`;
    let track = tracks.get(slot);
    if (track === undefined) {
      track = { heartbeat: row.heartbeat, heartbeatAt: now, signature, progressAt: now };
      tracks.set(slot, track);
    }
    if (row.heartbeat !== track.heartbeat) {
      const gap = now - track.heartbeatAt;
      if (slot === MAIN_SLOT && gap > data.stallMs) reportStall(gap, row);
      track.heartbeat = row.heartbeat;
      track.heartbeatAt = now;
    }
    if (signature !== track.signature) {
      track.signature = signature;
      track.progressAt = now;
    }
    const status: ThreadStatus = {
      slot,
      name: threadName(slot),
      state: row.state,
      op: row.op,
      produced: row.produced,
      target: row.target,
      heartbeatAgeMs: Math.round(now - track.heartbeatAt),
      progressAgeMs: Math.round(now - track.progressAt),
    };
    statuses.push(status);
    // The main thread beats from its event loop: a stale heartbeat means the loop is blocked.
    // Other threads prove progress through their state and record counters instead.
    if (busy(row) && slot === MAIN_SLOT && status.heartbeatAgeMs > data.hangMs) stuck.push(status.name);
    if (busy(row) && slot !== MAIN_SLOT && status.progressAgeMs > data.hangMs) stuck.push(status.name);
  }
  if (!hangReported && stuck.length > 0) {
    hangReported = true;
    reportHang(stuck, statuses);
  }
  if (now - lastProgressEvent >= data.progressMs) {
    lastProgressEvent = now;
    channel.send({ type: 'progress', elapsedMs: channel.elapsedMs(), produced, threads: statuses });
  }
}

function reportStall(gapMs: number, row: BoardRow): void {
  channel.send({
    type: 'finding',
    finding: {
      kind: 'event-loop-stall',
      severity: 'warning',
      message: `The main thread's event loop was blocked for ${Math.round(gapMs)} ms (during ${row.op})`,
      evidence: { gapMs: Math.round(gapMs), thresholdMs: data.stallMs, op: row.op },
    },
  });
}

function reportHang(stuck: readonly string[], threads: readonly ThreadStatus[]): void {
  const describe = (t: ThreadStatus): string =>
    t.slot === MAIN_SLOT
      ? `main event loop blocked for ${t.heartbeatAgeMs} ms in ${t.op}`
      : `${t.name} stuck in ${t.op} for ${t.progressAgeMs} ms (${t.produced} of ${t.target} records)`;
  channel.send({
    type: 'finding',
    finding: {
      kind: 'hang',
      severity: 'error',
      message: `No progress for ${data.hangMs} ms: ${threads
        .filter((t) => stuck.includes(t.name))
        .map(describe)
        .join('; ')}`,
      evidence: { windowMs: data.hangMs, stuck, threads },
    },
  });
}

self.set('running', 'idle');
setInterval(look, data.pollMs);
