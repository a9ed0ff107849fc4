import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../harness/ledger/ledger.js';
import { encodeRecord } from '../../harness/ledger/record.js';
import { ROOT, scratchDir } from './helpers.js';

/** The obvious, slow model the ledger must agree with. */
function model(producers: number, produced: number[], deliveries: [number, number][], dropped: number) {
  const seen = Array.from({ length: producers }, () => new Set<number>());
  const max = new Array<number>(producers).fill(-1);
  let duplicated = 0;
  let reordered = 0;
  let foreign = 0;
  for (const [p, s] of deliveries) {
    if (p >= producers || s >= 200) {
      foreign++;
      continue;
    }
    const set = seen[p]!;
    if (set.has(s)) {
      duplicated++;
      continue;
    }
    set.add(s);
    if (s < max[p]!) reordered++;
    else max[p] = s;
  }
  let total = 0;
  let delivered = 0;
  for (let p = 0; p < producers; p++) {
    total += Math.min(200, Math.max(produced[p] ?? 0, max[p]! + 1));
    delivered += seen[p]!.size;
  }
  return { produced: total, delivered, duplicated, reordered, torn: foreign, lost: Math.max(0, total - delivered - dropped) };
}

describe('the record ledger', () => {
  it('reconciles any pattern of deliveries exactly as the model does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((producers) =>
          fc.record({
            producers: fc.constant(producers),
            produced: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: producers, maxLength: producers }),
            deliveries: fc.array(fc.tuple(fc.integer({ min: 0, max: producers }), fc.integer({ min: 0, max: 210 })), { maxLength: 600 }),
            dropped: fc.integer({ min: 0, max: 50 }),
          }),
        ),
        ({ producers, produced, deliveries, dropped }) => {
          const ledger = Ledger.createLocal({ producers, capacity: 200 });
          for (const [p, s] of deliveries) ledger.deliver(p, s);
          const r = ledger.reconcile(produced, dropped);
          const m = model(producers, produced, deliveries, dropped);
          expect({ produced: r.produced, delivered: r.delivered, duplicated: r.duplicated, reordered: r.reordered, torn: r.torn, lost: r.lost }).toEqual(m);
          const missing = r.evidence.missing.reduce((n, g) => n + g.to - g.from + 1, 0);
          if (r.evidence.missing.length < 10) expect(missing).toBe(r.produced - r.delivered);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds the one lost record and the one duplicate among ten million', () => {
    const n = 10_000_000;
    const ledger = Ledger.createShared({ producers: 1, capacity: n });
    for (let s = 0; s < n; s++) if (s !== 7_654_321) ledger.deliver(0, s);
    ledger.deliver(0, 42);
    const r = ledger.reconcile([n], 0);
    expect(r.lost).toBe(1);
    expect(r.duplicated).toBe(1);
    expect(r.evidence.missing).toEqual([{ producer: 0, from: 7_654_321, to: 7_654_321 }]);
    expect(r.evidence.duplicates).toEqual([{ producer: 0, seq: 42 }]);
    // About a bit per record.
    expect(Ledger.byteLength({ producers: 1, capacity: n })).toBeLessThan(n / 8 + 1024);
  });

  it('accepts deliveries from several threads at once, released together by a shared gate', async () => {
    const producers = 2;
    const records = 200_000;
    const threads = 4;
    const ledger = Ledger.createShared({ producers, capacity: records });
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const workerUrl = new URL('../fixtures/workers/deliver.mjs', import.meta.url);
    const done = Array.from({ length: threads }, (_, t) => {
      // Every thread delivers every record once: each record arrives `threads` times in all.
      const w = new Worker(workerUrl, { workerData: { ledger: ledger.buffer, gate: gate.buffer, producers, records, root: ROOT, thread: t } });
      return new Promise<void>((resolve, reject) => {
        w.once('error', reject);
        w.once('exit', () => resolve());
      });
    });
    // Wait (bounded) until every thread is parked at the gate, then release them together.
    const deadline = Date.now() + 10_000;
    while (Atomics.load(gate, 0) < threads) {
      expect(Date.now()).toBeLessThan(deadline);
      const v = Atomics.load(gate, 0);
      const waited = Atomics.waitAsync(gate, 0, v, 100);
      if (waited.async) await waited.value;
    }
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    await Promise.all(done);
    const r = ledger.reconcile([records, records], 0);
    expect(r.delivered).toBe(producers * records);
    expect(r.duplicated).toBe(producers * records * (threads - 1));
    expect(r.lost).toBe(0);
    expect(r.torn).toBe(0);
  });

  it('reads a real sink file back: whole records, torn lines and a record cut off at exit', async () => {
    const dir = scratchDir();
    const file = join(dir, 'sink.log');
    const line = (p: number, s: number): string => JSON.stringify({ level: 30, msg: encodeRecord(p, s, `payload${s}`) });
    const whole = [line(0, 0), line(0, 1), line(1, 0)];
    const torn = `${line(0, 2).slice(0, 25)}${line(1, 1)}`; // a write spliced into another
    const cut = line(0, 3).slice(0, 30); // the process died mid-write
    writeFileSync(file, `${whole.join('\n')}\n${torn}\n${line(0, 1)}\n${cut}`);
    const ledger = Ledger.createLocal({ producers: 2, capacity: 10 });
    const read = await ledger.deliverFile(file, 'ndjson');
    const r = ledger.reconcile([4, 2], 0);
    expect(read.lines).toBe(6);
    expect(r.delivered).toBe(3);
    expect(r.duplicated).toBe(1);
    expect(r.torn).toBe(2);
    // A record whose marker arrived inside a torn line is torn, not also lost: (1, 1) spliced into
    // line 4 and (0, 3) cut off on line 6. Only (0, 2), whose marker was cut before its checksum, is lost.
    expect(r.lost).toBe(1);
    expect(r.evidence.tornRecords).toBe(2);
    expect(r.evidence.torn.map((t) => t.line)).toEqual([4, 6]);
    expect(r.evidence.missing).toEqual([
      { producer: 0, from: 2, to: 3 },
      { producer: 1, from: 1, to: 1 },
    ]);
  });

  it('counts what the logger reported dropped apart from what it lost', () => {
    const ledger = Ledger.createLocal({ producers: 1, capacity: 100 });
    for (let s = 0; s < 90; s++) ledger.deliver(0, s);
    expect(ledger.reconcile([100], 4).lost).toBe(6);
    expect(ledger.reconcile([100], 12).evidence.overReportedDrops).toBe(2);
  });
});

