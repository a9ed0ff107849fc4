/**
 * Folding the child's events, and the watcher's pure parts: when an event asks for the process
 * to be ended, and how the event channel is split into events.
 */

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ChildEvent } from '../../harness/contract/protocol.js';
import { EMPTY_FOLD, foldEvent, foldEvents } from '../../harness/run/fold.js';
import { killPlan, readLines } from '../../harness/run/run-process.js';

describe('folding the child events', () => {
  it('starts in phase start with nothing found and the scenario not done', () => {
    expect(foldEvents([])).toEqual({ findings: [], metrics: {}, threads: [], done: false, phase: 'start', harnessErrors: [] });
  });

  it('keeps the last phase, progress, sink, produced counts and schedule report, and merges metrics field by field', () => {
    const folded = foldEvents([
      { type: 'phase', phase: 'producing', elapsedMs: 1 },
      { type: 'sink', path: '/r/sink.log', format: 'ndjson' },
      { type: 'progress', elapsedMs: 2, produced: 1, threads: [] },
      { type: 'metrics', metrics: { loadMs: 10, peakRssMb: 5 } },
      { type: 'progress', elapsedMs: 3, produced: 2, threads: [{ slot: 0, name: 'main', state: 'running', op: 'log', produced: 2, target: 4, heartbeatAgeMs: 0, progressAgeMs: 0 }] },
      { type: 'metrics', metrics: { loadMs: 20 } },
      { type: 'produced', counts: [4], droppedReported: 1 },
      { type: 'phase', phase: 'closing', elapsedMs: 4 },
      { type: 'done' },
    ]);
    expect(folded.phase).toBe('closing');
    expect(folded.threads.map((t) => t.name)).toEqual(['main']);
    expect(folded.metrics).toEqual({ loadMs: 20, peakRssMb: 5 });
    expect(folded.sink?.path).toBe('/r/sink.log');
    expect(folded.produced?.counts).toEqual([4]);
    expect(folded.done).toBe(true);
  });

  it('keeps every harness error, the stack where there is one', () => {
    const folded = foldEvents([
      { type: 'harness-error', message: 'a' },
      { type: 'harness-error', message: 'b', stack: 'Error: b\n    at x' },
    ]);
    expect(folded.harnessErrors).toEqual(['a', 'Error: b\n    at x']);
  });

  it('never changes the state it was given', () => {
    const before = Object.freeze({ ...EMPTY_FOLD, findings: Object.freeze([]) });
    const after = foldEvent(before, { type: 'finding', finding: { kind: 'hang', severity: 'error', message: 'm', evidence: {} } });
    expect(before.findings).toEqual([]);
    expect(after.findings).toHaveLength(1);
  });

  it('ignores an event type it does not know (a newer child), rather than losing the state', () => {
    const state = foldEvents([{ type: 'phase', phase: 'producing', elapsedMs: 1 }]);
    expect(foldEvent(state, { type: 'from-the-future' } as unknown as ChildEvent)).toBe(state);
  });
});

describe('when an event ends the process', () => {
  const f = (kind: 'hang' | 'deadlock' | 'crash'): ChildEvent => ({ type: 'finding', finding: { kind, severity: 'error', message: '', evidence: {} } });

  it("ends it shortly after the watchdog's hang or deadlock, and after the exit bound once the scenario is done, exiting or skipped", () => {
    expect(killPlan(f('hang'), 3000)).toEqual({ reason: 'hang', afterMs: 100 });
    expect(killPlan(f('deadlock'), 3000)).toEqual({ reason: 'deadlock', afterMs: 300 });
    for (const event of [{ type: 'done' }, { type: 'exiting', code: 0 }, { type: 'skip', reason: 'r' }] as const) {
      expect(killPlan(event, 2500)).toEqual({ reason: 'exit-hang', afterMs: 2500 });
    }
  });

  it('lets every other event pass', () => {
    expect(killPlan(f('crash'), 3000)).toBeUndefined();
    expect(killPlan({ type: 'phase', phase: 'p', elapsedMs: 0 }, 3000)).toBeUndefined();
  });
});

describe('the event channel', () => {
  it('splits JSON lines across chunks, reports unreadable ones cut short, and settles when the channel ends', async () => {
    const stream = new PassThrough();
    const events: ChildEvent[] = [];
    const bad: string[] = [];
    const done = readLines(stream, (e) => events.push(e), (line) => bad.push(line));
    stream.write('{"type":"pha');
    stream.write('se","phase":"p","elapsedMs":1}\n\n{not json ');
    stream.write(`${'x'.repeat(300)}\n{"type":"done"}\n{"type":"ski`);
    stream.end();
    await done;
    expect(events).toEqual([{ type: 'phase', phase: 'p', elapsedMs: 1 }, { type: 'done' }]);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toHaveLength(200);
  });
});
