/**
 * What an instrumented thread publishes about the locks it holds, read back from its board row
 * (the one record of it) and from the run's edge table, in this thread with a run's sync
 * runtime attached. The lock-taking fast paths skip work (a nested acquire repeated under the
 * same held stack is checked once): these tests pin down that nothing the watchdog needs is
 * skipped with it.
 */

import { openSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Board, MAIN_SLOT } from '../../harness/sync/board.js';
import { EventChannel } from '../../harness/sync/channel.js';
import { Condition, LockError, Mutex } from '../../harness/sync/locks.js';
import { attachRuntime, createSyncShared, E_FROM_CLASS, E_KIND, E_TO_CLASS, EDGE_HEADER, EDGE_KINDS, EDGE_STRIDE, type SyncRuntime } from '../../harness/sync/runtime.js';

let rt: SyncRuntime;
let board: Board;

beforeAll(() => {
  board = Board.create();
  const channel = new EventChannel({ fd: openSync('/dev/null', 'w'), lock: new SharedArrayBuffer(4), startedAt: Date.now() });
  rt = attachRuntime(createSyncShared(board, channel.handle), MAIN_SLOT, 'test-main');
});

/** Every lock-order edge published so far, as `from -> to` class names (with the kind, when `kinds`). */
function edges(kinds = false): string[] {
  const out: string[] = [];
  const n = Atomics.load(rt.edges, 0);
  for (let i = 0; i < n; i++) {
    const at = EDGE_HEADER + i * EDGE_STRIDE;
    const edge = `${rt.strings.read(Atomics.load(rt.edges, at + E_FROM_CLASS))} -> ${rt.strings.read(Atomics.load(rt.edges, at + E_TO_CLASS))}`;
    out.push(kinds ? `${EDGE_KINDS[Atomics.load(rt.edges, at + E_KIND)] ?? '?'} ${edge}` : edge);
  }
  return out;
}

const heldNames = (): string[] => board.read(MAIN_SLOT).held.map((h) => rt.lockName(h.lock).replace(/#\d+$/, ''));

describe('the held-lock record of an instrumented thread', () => {
  it('shows the held stack on the board while inside, and counts every acquire as progress', () => {
    const a = Mutex.create('held.a');
    const b = Mutex.create('held.b');
    const before = board.read(MAIN_SLOT).lockOps;
    const progress = board.progressOf(MAIN_SLOT);
    for (let i = 0; i < 3; i++) {
      a.with(() =>
        b.with(() => {
          expect(heldNames()).toEqual(['held.a', 'held.b']);
          expect(a.held && b.held).toBe(true);
        }),
      );
    }
    expect(board.read(MAIN_SLOT).held).toEqual([]);
    expect(board.read(MAIN_SLOT).lockOps - before).toBe(6);
    expect(board.progressOf(MAIN_SLOT)).not.toBe(progress);
  });

  it('publishes the edge of a lock taken again under a different held stack, after a repeat under the same one', () => {
    const outer1 = Mutex.create('repeat.outer1');
    const outer2 = Mutex.create('repeat.outer2');
    const inner = Mutex.create('repeat.inner');
    // The same nested acquire many times: checked once, then known good.
    outer1.with(() => {
      for (let i = 0; i < 100; i++) inner.with(() => undefined);
    });
    expect(edges()).toContain('repeat.outer1 -> repeat.inner');
    // The same lock under another stack is a new edge, and must not pass for the repeat.
    outer2.with(() => inner.with(() => undefined));
    expect(edges()).toContain('repeat.outer2 -> repeat.inner');
    // Under both at once: an edge from outer1 to outer2, and nothing lost from inner's side.
    outer1.with(() => outer2.with(() => inner.with(() => undefined)));
    expect(edges()).toContain('repeat.outer1 -> repeat.outer2');
  });

  it('forgets a checked acquire when a lock below it is released out of order', () => {
    const first = Mutex.create('order.first');
    const second = Mutex.create('order.second');
    const inner = Mutex.create('order.inner');
    first.lock();
    second.lock();
    inner.with(() => undefined);
    first.unlock(); // out of order: second is still held, first no longer
    expect(heldNames()).toEqual(['order.second']);
    inner.with(() => expect(heldNames()).toEqual(['order.second', 'order.inner']));
    second.unlock();
    expect(heldNames()).toEqual([]);
    expect(edges()).toEqual(expect.arrayContaining(['order.first -> order.inner', 'order.second -> order.inner', 'order.first -> order.second']));
  });

  it('still refuses a non-reentrant lock taken twice, nested or not, and leaves the stack as it was', () => {
    const guard = Mutex.create('twice.guard');
    const once = Mutex.create('twice.once');
    once.lock();
    expect(() => once.lock()).toThrow(LockError);
    expect(heldNames()).toEqual(['twice.once']);
    once.unlock();
    guard.with(() => {
      once.with(() => {
        expect(() => once.lock()).toThrow(LockError);
      });
      expect(heldNames()).toEqual(['twice.guard']);
    });
    expect(heldNames()).toEqual([]);
  });

  it('takes a reentrant lock again without a second entry on the stack', () => {
    const r = Mutex.create('again.reentrant', { reentrant: true });
    r.with(() => r.with(() => expect(heldNames()).toEqual(['again.reentrant'])));
    expect(heldNames()).toEqual([]);
    expect(r.held).toBe(false);
  });
});

describe('the cross-release edges of a condition', () => {
  /** The cross-release edges between classes of one test (the first notify's also go to every lock this thread took before). */
  const crossEdges = (prefix: string): string[] => edges(true).filter((e) => !e.startsWith('lock ') && e.split(' ').filter((w) => w.startsWith(prefix)).length === 2);

  it('adds an edge from each lock held across a wait, but not from the mutex the wait releases', () => {
    const held = Mutex.create('xw.held');
    const m = Mutex.create('xw.mutex');
    const cond = Condition.create('xw.cond');
    held.with(() => m.with(() => cond.wait(m, 0)));
    m.with(() => cond.wait(m, 0));
    expect(crossEdges('xw.')).toEqual(['wait xw.held -> xw.cond']);
  });

  it("adds an edge at a notify to each lock taken since the thread's previous notify of that condition", () => {
    const before = Mutex.create('xn.before');
    const later = Mutex.create('xn.later');
    const m = Mutex.create('xn.mutex');
    const cond = Condition.create('xn.cond');
    m.with(() => cond.wait(m, 0));
    expect(crossEdges('xn.')).toEqual([]);
    before.with(() => undefined);
    m.with(() => cond.notify());
    // xn.mutex and xn.before were taken on the way to this thread's first notify.
    expect(crossEdges('xn.')).toEqual(['notify xn.cond -> xn.mutex', 'notify xn.cond -> xn.before']);
    m.with(() => cond.notifyAll());
    expect(crossEdges('xn.')).toHaveLength(2);
    later.with(() => undefined);
    m.with(() => cond.notify());
    expect(crossEdges('xn.')).toEqual(['notify xn.cond -> xn.mutex', 'notify xn.cond -> xn.before', 'notify xn.cond -> xn.later']);
  });

  it('publishes each cross-release edge once per thread, however often it recurs', () => {
    const held = Mutex.create('xo.held');
    const m = Mutex.create('xo.mutex');
    const cond = Condition.create('xo.cond');
    for (let i = 0; i < 3; i++) {
      held.with(() => m.with(() => cond.wait(m, 0)));
      m.with(() => cond.notify());
    }
    expect(crossEdges('xo.')).toEqual(['wait xo.held -> xo.cond', 'notify xo.cond -> xo.held', 'notify xo.cond -> xo.mutex']);
  });
});
