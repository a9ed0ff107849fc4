/**
 * The watchdog's detectors, each on its own, on plain readings and a board the test writes as
 * the threads would: hang, wedge, deadlock and lock order. (The main thread's stall meter is
 * in loop-stall.test.ts.) Time is the test's: every `now` is passed in.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ThreadStatus } from '../../harness/contract/protocol.js';
import { Board, FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_THREADS, type ThreadState } from '../../harness/sync/board.js';
import { LockOrderGraph } from '../../harness/sync/lockgraph.js';
import { E_FROM_CLASS, E_GUARD0, E_GUARDS, E_KIND, E_READY, E_SITE, E_SLOT, E_TO_CLASS, EDGE_HEADER, EDGE_KINDS, EDGE_STRIDE, L_CLASS, LOCK_STRIDE, lockName } from '../../harness/sync/runtime.js';
import { StringTable } from '../../harness/sync/strings.js';
import { DeadlockDetector, type BoardView } from '../../harness/watchdog/deadlock.js';
import { HangDetector, hangFinding, type SlotReading } from '../../harness/watchdog/hang.js';
import { measureSink } from '../../harness/watchdog/liveness.js';
import { LockOrderDetector, lockOrderFinding } from '../../harness/watchdog/lock-order.js';
import { WedgeDetector, wedgeFinding, type ProducerReading } from '../../harness/watchdog/wedge.js';

const HANG_MS = 3000;
const P0 = FIRST_PRODUCER_SLOT;
const P1 = FIRST_PRODUCER_SLOT + 1;
/** A thread the logger started itself (a listener): its slot comes from the top. */
const LISTENER = MAX_THREADS - 1;

const reading = (slot: number, state: ThreadState, signature: number, heartbeat = 0): SlotReading => ({ slot, state, signature, heartbeat });

/** Runs looks every 10 ms from `from` to `to`, each with the readings `at(now)`; answers what decide said, when it said something. */
function watch(detector: HangDetector, from: number, to: number, at: (now: number) => SlotReading[]): { at: number; slots: number[] } | undefined {
  for (let now = from; now <= to; now += 10) {
    const readings = at(now);
    const hung = detector.decide(now, readings, detector.observe(now, readings));
    if (hung !== undefined) return { at: now, slots: hung };
  }
  return undefined;
}

describe('the hang detector', () => {
  it('reports nothing while the producers log, however long the run', () => {
    const d = new HangDetector(HANG_MS, 0);
    expect(watch(d, 0, 20_000, (now) => [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'running', now), reading(P1, 'running', now * 2)])).toBeUndefined();
  });

  it('names a producer whose counters stood still for the window, once per run', () => {
    const d = new HangDetector(HANG_MS, 0);
    const found = watch(d, 0, 10_000, (now) => [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'running', now), reading(P1, 'waiting', 5)]);
    expect(found).toEqual({ at: 3010, slots: [P1] });
    expect(watch(d, 3020, 10_000, () => [reading(P1, 'waiting', 5)])).toBeUndefined();
  });

  it('never names a finished producer, nor a logger thread that idles', () => {
    const d = new HangDetector(HANG_MS, 0);
    expect(watch(d, 0, 10_000, (now) => [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'done', 9), reading(P1, 'dead', 4), reading(LISTENER, 'waiting', 2), reading(P1 + 1, 'running', now)])).toBeUndefined();
  });

  it("names the main thread when its loop stopped beating and its counters stood still", () => {
    const d = new HangDetector(HANG_MS, 0);
    expect(watch(d, 0, 10_000, (now) => [reading(MAIN_SLOT, 'running', 1, 7), reading(P0, 'running', now)])).toEqual({ at: 3010, slots: [MAIN_SLOT] });
  });

  it('takes a main loop blocked while it logs record after record for a stall, not a hang', () => {
    const d = new HangDetector(HANG_MS, 0);
    expect(watch(d, 0, 10_000, (now) => [reading(MAIN_SLOT, 'running', now, 7)])).toBeUndefined();
  });

  it('does not count start-up against progress: threads loading their logger or waiting at the start gate for ten windows', () => {
    // Producer processes spawning and loading a slow logger on a loaded machine: nothing logs yet.
    const d = new HangDetector(HANG_MS, 0);
    expect(watch(d, 0, 30_000, (now) => [reading(MAIN_SLOT, 'starting', 1, now), reading(P0, 'starting', 0), reading(P1, 'starting', 0)])).toBeUndefined();
    // Once they run, the window applies again.
    expect(watch(d, 30_010, 40_000, (now) => [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'running', 0)])).toEqual({ at: 33_010, slots: [P0] });
  });

  it('names the unfinished harness threads when nothing anywhere moved while work remains', () => {
    // The main loop turns, but no counter of any thread moves: it waits for a listener that idles.
    const d = new HangDetector(HANG_MS, 0);
    const found = watch(d, 0, 10_000, (now) => [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'done', 4), reading(LISTENER, 'waiting', 3)]);
    expect(found).toEqual({ at: 3010, slots: [MAIN_SLOT] });
  });

  it('counts output the sink keeps receiving as progress of every thread', () => {
    const d = new HangDetector(HANG_MS, 0);
    const found = watch(d, 0, 10_000, (now) => {
      if (now % 1000 === 0) d.outputGrew(now);
      return [reading(MAIN_SLOT, 'waiting', 1, now), reading(P0, 'closing', 5)];
    });
    expect(found).toBeUndefined();
  });
});

const status = (name: string, slot: number, extra: Partial<ThreadStatus> = {}): ThreadStatus => ({
  slot,
  name,
  state: 'running',
  op: 'log',
  produced: 40,
  target: 100,
  heartbeatAgeMs: 0,
  progressAgeMs: 3200,
  ...extra,
});

describe('the hang finding', () => {
  it('describes a blocked main loop, a stuck producer with its records and lock, and the others that wait', () => {
    const threads = [
      status('main', MAIN_SLOT, { op: 'close', heartbeatAgeMs: 3100 }),
      status('producer-0', P0, { waiting: { kind: 'lock', on: 'reference.queue#3', holders: ['listener'], site: '', forMs: 3150 } }),
      status('listener', LISTENER, { target: 0, waiting: { kind: 'condition', on: 'reference.nonempty#4', site: '', forMs: 3300 } }),
    ];
    const finding = hangFinding(['main', 'producer-0'], threads, HANG_MS, 10, { diagnosticReport: 'not available' });
    expect(finding.message).toBe(
      'No progress for 3000 ms: main event loop blocked for 3100 ms in close; producer-0 stuck in log for 3200 ms (40 of 100 records), waiting on reference.queue#3 held by listener for 3150 ms. Also waiting: listener stuck in log for 3200 ms, waiting on reference.nonempty#4 for 3300 ms',
    );
    expect(finding.evidence).toMatchObject({ windowMs: HANG_MS, stuck: ['main', 'producer-0'], diagnosticReport: 'not available' });
  });
});

const producer = (slot: number, produced: number, heartbeat: number, state: ThreadState = 'running'): ProducerReading => ({ slot, state, produced, heartbeat });

describe('the wedge detector', () => {
  it('is satisfied while the sink grows', () => {
    const d = new WedgeDetector(HANG_MS, 0);
    for (let now = 0; now < 10_000; now += 100) {
      expect(d.look(now, [producer(P0, now, now)], { bytes: now * 10, files: 1 }).grew).toBe(true);
    }
  });

  it('reports, once, a sink that stopped growing for the window while records were logged and loops turned', () => {
    const d = new WedgeDetector(HANG_MS, 0);
    expect(d.look(0, [producer(P0, 10, 0)], { bytes: 500, files: 1 })).toEqual({ grew: true });
    let wedge;
    let now = 100;
    for (; now <= 5000 && wedge === undefined; now += 100) {
      const look = d.look(now, [producer(P0, 10 + now, now)], { bytes: 500, files: 1 });
      if (!look.grew) wedge = look.wedge;
    }
    expect(now - 100).toBe(3000);
    expect(wedge).toEqual({ stalledMs: 3000, sinkBytes: 500, sinkFiles: 1, producedSinceGrowth: 3000 });
    expect(d.look(now, [producer(P0, 10 + now, now)], { bytes: 500, files: 1 })).toEqual({ grew: false });
  });

  it('gives a stall three windows while the process keeps a CPU busy (still sending), one when it idles', () => {
    // Busy: 0.9 of a CPU per ms of the stall. The one window passes quietly; three do not.
    const busy = new WedgeDetector(HANG_MS, 0);
    busy.look(0, [producer(P0, 10, 0)], { bytes: 0, files: 1 }, 0);
    let wedge;
    let now = 100;
    for (; now <= 20_000 && wedge === undefined; now += 100) {
      const look = busy.look(now, [producer(P0, 10 + now, now)], { bytes: 0, files: 1 }, now * 0.9);
      if (!look.grew) wedge = look.wedge;
    }
    expect(now - 100).toBe(3 * HANG_MS);
    expect(wedge).toEqual({ stalledMs: 9000, busyShare: 0.9, sinkBytes: 0, sinkFiles: 1, producedSinceGrowth: 9000 });
    expect(wedgeFinding(wedge ?? { stalledMs: 0, sinkBytes: 0, sinkFiles: 0, producedSinceGrowth: 0 }, []).message).toContain("while 9000 more records were logged, the process's threads busy on 0.9 of a CPU meanwhile;");
    // Idle: 0.1 of a CPU. One window is enough, as with no CPU reading at all.
    const idle = new WedgeDetector(HANG_MS, 0);
    idle.look(0, [producer(P0, 10, 0)], { bytes: 0, files: 1 }, 0);
    wedge = undefined;
    for (now = 100; now <= 20_000 && wedge === undefined; now += 100) {
      const look = idle.look(now, [producer(P0, 10 + now, now)], { bytes: 0, files: 1 }, now * 0.1);
      if (!look.grew) wedge = look.wedge;
    }
    expect(now - 100).toBe(HANG_MS);
    expect(wedge?.busyShare).toBe(0.1);
  });

  it('reports nothing when no record was logged since the sink last grew', () => {
    const d = new WedgeDetector(HANG_MS, 0);
    d.look(0, [producer(P0, 10, 0)], { bytes: 500, files: 1 });
    expect(d.look(9000, [producer(P0, 10, 90)], { bytes: 500, files: 1 })).toEqual({ grew: false });
  });

  it("reports nothing while the threads that log never turn their event loop: an asynchronous logger had no chance to write", () => {
    const d = new WedgeDetector(HANG_MS, 0);
    d.look(0, [producer(P0, 10, 7)], { bytes: 500, files: 1 });
    expect(d.look(9000, [producer(P0, 900, 7)], { bytes: 500, files: 1 })).toEqual({ grew: false });
    expect(d.look(9100, [producer(P0, 900, 8, 'waiting')], { bytes: 500, files: 1 })).toEqual({ grew: false });
  });

  it('takes a sink folder it cannot read for no news, not for growth', () => {
    const d = new WedgeDetector(HANG_MS, 0);
    d.look(0, [producer(P0, 10, 0)], { bytes: 500, files: 1 });
    expect(d.look(100, [producer(P0, 20, 1)], undefined)).toEqual({ grew: false });
    expect(d.look(3000, [producer(P0, 30, 2)], { bytes: 500, files: 1 }).grew).toBe(false);
  });

  it('draws no verdict from a look that could not read the folder or the CPU time (a process out of file descriptors)', () => {
    const d = new WedgeDetector(HANG_MS, 0);
    d.look(0, [producer(P0, 10, 0)], { bytes: 500, files: 1 }, 0);
    expect(d.look(5000, [producer(P0, 900, 50)], undefined, undefined)).toEqual({ grew: false });
    expect(d.look(5100, [producer(P0, 910, 51)], { bytes: 500, files: 1 }, undefined)).toEqual({ grew: false });
    // Readable again: the stall is judged, idle as it was.
    const look = d.look(5200, [producer(P0, 920, 52)], { bytes: 500, files: 1 }, 10);
    expect(look.grew === false ? look.wedge?.stalledMs : undefined).toBe(5200);
  });

  it('quotes the largest buffer a logger reports, never a sum, and says when the adapter does not tell', () => {
    const wedge = { stalledMs: 3000, sinkBytes: 500, sinkFiles: 1, producedSinceGrowth: 70 };
    const told = wedgeFinding(wedge, [status('producer-0', P0, { buffered: 4096 }), status('producer-1', P1, { buffered: 4096 }), status('main', MAIN_SLOT)]);
    expect(told.message).toBe('Wedge: the sink stopped growing for 3000 ms at 500 bytes while 70 more records were logged; the logger reports 4096 bytes buffered, unwritten');
    expect(told.evidence).toMatchObject({ wedge: true, bufferedBytes: 4096, signature: 'liveness-wedge' });
    const untold = wedgeFinding(wedge, [status('main', MAIN_SLOT)]);
    expect(untold.message).toContain('the logger does not say what it holds buffered');
    expect(untold.evidence['bufferedBytes']).toBeUndefined();
  });
});

describe("measuring the sink's files", () => {
  const dir = mkdtempSync(join(tmpdir(), 'logjam-unit-sink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the sink file and its rotated parts, and nothing else in the folder', () => {
    writeFileSync(join(dir, 'sink.log'), 'x'.repeat(100));
    writeFileSync(join(dir, 'sink.log.1'), 'x'.repeat(20));
    writeFileSync(join(dir, 'sink2.log'), 'x'.repeat(3));
    writeFileSync(join(dir, 'diagnostics.json'), 'x'.repeat(1000));
    expect(measureSink(dir)).toEqual({ bytes: 123, files: 3 });
    expect(measureSink(join(dir, 'gone'))).toBeUndefined();
  });
});

/** A board with named threads and a lock table, as the threads of a run would leave them. */
function world(): { board: Board; strings: StringTable; view: BoardView; lock: (id: number, cls: string) => number } {
  const board = Board.create();
  const strings = StringTable.create(1 << 16);
  const locks = new Int32Array(new SharedArrayBuffer(64 * LOCK_STRIDE * 4));
  const view: BoardView = { board, strings, lockName: (id) => lockName(locks, strings, id) };
  const lock = (id: number, cls: string): number => {
    locks[id * LOCK_STRIDE + L_CLASS] = strings.intern(cls);
    return id;
  };
  return { board, strings, view, lock };
}

describe('the deadlock detector', () => {
  /** A and B hold one lock each and wait for the other's, with their wait sites captured or not. */
  function abba(sites = true) {
    const w = world();
    const registry = w.lock(1, 'reference.registry');
    const gil = w.lock(2, 'interpreter');
    const a = w.board.row(P0);
    const b = w.board.row(P1);
    a.identify(w.strings.intern('producer-0'), 1);
    b.identify(w.strings.intern('listener'), 2);
    a.set('waiting', 'log');
    b.set('waiting', 'drain');
    a.push(gil, w.strings.intern('at takeGil (app.ts:1)'));
    b.push(registry, w.strings.intern('at emit (listener.ts:2)'));
    a.waitStart('lock', registry, 0, 0, sites ? w.strings.intern('at getLogger (registry.ts:3)') : 0, 100);
    b.waitStart('lock', gil, 0, 0, sites ? w.strings.intern('at write (sink.ts:4)') : 0, 120);
    return { ...w, a, b, d: new DeadlockDetector(w.view, 1000) };
  }

  it('reports a cycle the second time it sees every thread in the same wait, and only once', () => {
    const { d } = abba();
    expect(d.check(P0, 200)).toBeUndefined();
    const found = d.check(P0, 210);
    expect(found?.kind).toBe('deadlock');
    expect(found?.message).toBe('Deadlock: producer-0 holds interpreter#2 and waits for reference.registry#1; listener holds reference.registry#1 and waits for interpreter#2');
    expect(found?.evidence).toMatchObject({ signature: 'deadlock:interpreter|reference.registry', detectedBy: 'watchdog', formedAtMs: 120, detectedAtMs: 210 });
    expect(d.check(P1, 220)).toBeUndefined();
    expect(d.check(P0, 230)).toBeUndefined();
  });

  it('does not report a cycle read while one of its threads moved on, until it is seen twice again', () => {
    const { d, b, board, strings } = abba();
    expect(d.check(P0, 200)).toBeUndefined();
    // The listener got the lock, let it go and waits for it again: the first look was torn.
    b.waitEnd();
    b.waitStart('lock', 2, 0, 0, strings.intern('at write (sink.ts:4)'), 205);
    expect(board.read(P1).wait?.seq).toBe(2);
    expect(d.check(P0, 210)).toBeUndefined();
    expect(d.check(P0, 220)?.kind).toBe('deadlock');
  });

  it('reports nothing while a thread that waits is not waited on in turn', () => {
    const { d, a, b } = abba();
    b.waitEnd();
    b.set('running', 'drain');
    expect(d.check(P0, 200)).toBeUndefined();
    expect(d.check(P0, 210)).toBeUndefined();
    a.waitEnd();
    expect(d.check(P0, 220)).toBeUndefined();
  });

  it('waits as long as a thread needs to capture its wait site before it reports the cycle without it', () => {
    const { d } = abba(false);
    expect(d.check(P0, 200)).toBeUndefined();
    expect(d.check(P0, 700)).toBeUndefined();
    expect(d.check(P0, 1200)?.kind).toBe('deadlock');
  });
});

describe('the lock-order detector', () => {
  /** Publishes an edge as a thread does: fields first, the ready flag last. */
  function publish(edges: Int32Array, strings: StringTable, from: string, to: string, slot: number, guards: readonly number[] = [], ready = true, kind: 'lock' | 'wait' | 'notify' = 'lock'): number {
    const n = Atomics.add(edges, 0, 1);
    const at = EDGE_HEADER + n * EDGE_STRIDE;
    Atomics.store(edges, at + E_FROM_CLASS, strings.intern(from));
    Atomics.store(edges, at + E_TO_CLASS, strings.intern(to));
    Atomics.store(edges, at + E_SLOT, slot);
    Atomics.store(edges, at + E_SITE, strings.intern(`at take (${from}-${to}.ts:1)`));
    guards.forEach((g, i) => Atomics.store(edges, at + E_GUARD0 + i, g));
    Atomics.store(edges, at + E_GUARDS, guards.length);
    Atomics.store(edges, at + E_KIND, EDGE_KINDS.indexOf(kind));
    if (ready) Atomics.store(edges, at + E_READY, 1);
    return at;
  }
  const names = (slot: number): string => `t${slot}`;

  it('reports the cycle two threads close, with each hop and an interleaving that deadlocks', () => {
    const { strings, view } = world();
    const edges = new Int32Array(new SharedArrayBuffer((EDGE_HEADER + 16 * EDGE_STRIDE) * 4));
    const d = new LockOrderDetector(view.lockName);
    publish(edges, strings, 'registry', 'gil', 1);
    expect(d.look(edges, strings, names)).toEqual([]);
    publish(edges, strings, 'gil', 'registry', 2);
    const [finding, ...more] = d.look(edges, strings, names);
    expect(more).toEqual([]);
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toBe('Lock order cycle: gil → registry (t2 at take (gil-registry.ts:1)), registry → gil (t1 at take (registry-gil.ts:1)).');
    expect(finding?.evidence['signature']).toBe('lock-order:gil -> registry');
    expect(finding?.evidence['scenario']).toContain(' *** DEADLOCK ***');
  });

  it('reads an edge still being written at the next look', () => {
    const { strings, view } = world();
    const edges = new Int32Array(new SharedArrayBuffer((EDGE_HEADER + 16 * EDGE_STRIDE) * 4));
    const d = new LockOrderDetector(view.lockName);
    publish(edges, strings, 'a', 'b', 1);
    const half = publish(edges, strings, 'b', 'a', 2, [], false);
    expect(d.look(edges, strings, names)).toEqual([]);
    Atomics.store(edges, half + E_READY, 1);
    expect(d.look(edges, strings, names).map((f) => f.kind)).toEqual(['lock-order-cycle']);
  });

  it('reports a lock held across a condition wait that the notifier takes first, worded as the wait and the notify', () => {
    const { strings, view } = world();
    const edges = new Int32Array(new SharedArrayBuffer((EDGE_HEADER + 16 * EDGE_STRIDE) * 4));
    const d = new LockOrderDetector(view.lockName);
    publish(edges, strings, 'registry', 'drained', 1, [], true, 'wait');
    expect(d.look(edges, strings, names)).toEqual([]);
    publish(edges, strings, 'drained', 'registry', 2, [], true, 'notify');
    const [finding, ...more] = d.look(edges, strings, names);
    expect(more).toEqual([]);
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toBe(
      'Lock order cycle: drained → registry (t2 takes registry before it notifies drained, at take (drained-registry.ts:1)), ' +
        'registry → drained (t1 waits on drained holding registry, at take (registry-drained.ts:1)). ' +
        "A thread waits on a condition holding a lock that the condition's notifier takes first: while it waits, the notify cannot come.",
    );
    expect(finding?.evidence['edges']).toMatchObject([{ kind: 'notify' }, { kind: 'wait' }]);
    const table = (finding?.evidence['scenario'] as string[]).join('\n');
    expect(table).toContain('lock(registry);  /* before notify(drained) */');
    expect(table).toContain('wait(drained);');
  });

  it('reports one hazard per lock held across a wait, the shortest way round, not every longer cycle through it', () => {
    const { strings, view } = world();
    const edges = new Int32Array(new SharedArrayBuffer((EDGE_HEADER + 16 * EDGE_STRIDE) * 4));
    const d = new LockOrderDetector(view.lockName);
    publish(edges, strings, 'registry', 'drained', 1, [], true, 'wait');
    publish(edges, strings, 'gil', 'registry', 3);
    expect(d.look(edges, strings, names)).toEqual([]);
    // One notify publishes an edge to everything its thread took: the longer cycle first here.
    publish(edges, strings, 'drained', 'gil', 2, [], true, 'notify');
    publish(edges, strings, 'drained', 'registry', 2, [], true, 'notify');
    const found = d.look(edges, strings, names);
    expect(found.map((f) => f.evidence['classes'])).toEqual([['drained', 'registry']]);
    // A different lock held across the same wait is a hazard of its own.
    publish(edges, strings, 'config', 'drained', 3, [], true, 'wait');
    publish(edges, strings, 'drained', 'config', 2, [], true, 'notify');
    expect(d.look(edges, strings, names).map((f) => f.evidence['classes'])).toEqual([['drained', 'config']]);
  });

  it('reports a cycle all in one thread, or under one guard lock, as information with the reason', () => {
    const { view, lock } = world();
    const guard = lock(9, 'app.big-lock');
    const single = new LockOrderGraph();
    single.add({ from: 'a', to: 'b', thread: 't1', site: '', guards: [] });
    const one = lockOrderFinding(single.add({ from: 'b', to: 'a', thread: 't1', site: '', guards: [] }) ?? expect.fail('no cycle'), view.lockName);
    expect(one).toMatchObject({ severity: 'info', evidence: { benign: 'single-thread', signature: 'lock-order:a -> b|single-thread' } });
    expect(one.message).toContain('Every edge was taken by one thread');
    const guarded = new LockOrderGraph();
    guarded.add({ from: 'a', to: 'b', thread: 't1', site: '', guards: [guard] });
    const under = lockOrderFinding(guarded.add({ from: 'b', to: 'a', thread: 't2', site: '', guards: [guard] }) ?? expect.fail('no cycle'), view.lockName);
    expect(under).toMatchObject({ severity: 'info', evidence: { benign: 'common-guard' } });
    expect(under.message).toContain('Every edge was taken holding app.big-lock#9');
  });
});
