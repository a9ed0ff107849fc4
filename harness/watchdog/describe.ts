/**
 * Every thread as the reports show it: name, state, operation, counters, held locks and what
 * it waits on, read from the board. Built for the periodic progress event and for a finding's
 * evidence, not on every look.
 */

import { FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_PRODUCERS, type BoardRow } from '../sync/board.js';
import type { ThreadStatus, ThreadWait } from '../contract/protocol.js';
import type { BoardView } from './deadlock.js';
import type { Track } from './hang.js';

/** A thread's name: the one it gave itself, else its slot's role. */
export function threadName(view: BoardView, slot: number, row: BoardRow = view.board.read(slot)): string {
  const named = view.strings.read(row.name);
  if (named !== '') return named;
  if (slot === MAIN_SLOT) return 'main';
  if (slot >= FIRST_PRODUCER_SLOT && slot < FIRST_PRODUCER_SLOT + MAX_PRODUCERS) return `producer-${slot - FIRST_PRODUCER_SLOT}`;
  return `thread-${row.threadId}`;
}

/** Every tracked thread, `now` in the tracks' clock and `elapsedMs` in the run's (waits are stamped with it). */
export function describeAll(view: BoardView, tracks: ReadonlyMap<number, Readonly<Track>>, now: number, elapsedMs: number): ThreadStatus[] {
  const rows = new Map<number, BoardRow>();
  for (const slot of tracks.keys()) rows.set(slot, view.board.read(slot));
  const names = new Map([...rows].map(([slot, row]) => [slot, threadName(view, slot, row)]));
  return [...rows].map(([slot, row]) => describeThread(view, slot, row, names, now, tracks.get(slot) as Track, elapsedMs));
}

function describeThread(view: BoardView, slot: number, row: BoardRow, names: Map<number, string>, now: number, track: Readonly<Track>, elapsed: number): ThreadStatus {
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
    ...(row.held.length > 0 ? { held: row.held.map((h) => ({ lock: view.lockName(h.lock), site: view.strings.read(h.site) })) } : {}),
    ...(row.wait !== undefined ? { waiting: describeWait(view, row, names, elapsed) } : {}),
    ...(row.buffered !== undefined ? { buffered: row.buffered } : {}),
  };
}

function describeWait(view: BoardView, row: BoardRow, names: Map<number, string>, elapsed: number): ThreadWait {
  const wait = row.wait;
  if (wait === undefined) throw new Error('describeWait needs a waiting row: this is a harness bug');
  const forMs = Math.max(0, elapsed - wait.since);
  const site = view.strings.read(wait.site);
  if (wait.kind === 'raw') {
    const notifiedBy = [...names].filter(([s]) => {
      const r = view.board.read(s);
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
  const holders = wait.kind === 'lock' || wait.kind === 'lock-shared' ? view.board.holders(wait.id).map((s) => names.get(s) ?? `slot-${s}`) : undefined;
  return { kind: wait.kind, on: view.lockName(wait.id), ...(holders !== undefined ? { holders } : {}), site, forMs };
}
