/**
 * The oracles read whole records as whole (issue 13): a line is torn only when it is not one
 * whole record, and a torn record is counted torn, not also lost. Each case is a line a real
 * logger writes, or one whose bytes were cut the way a broken logger cuts them.
 */

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type Pino from 'pino';
import { Ledger } from '../../harness/ledger/ledger.js';
import type { LevelMix } from '../../harness/contract/level-mix.js';
import { encodeRecord, parseLine } from '../../harness/ledger/record.js';
import { memoryVerdict, missingRecords, overflowFindings, readSinks, type MemorySample, type SinkContents } from '../../harness/ledger/sink-check.js';


const scratchDir = (): string => mkdtempSync(join(tmpdir(), 'logjam-oracles-'));
const pino = createRequire(import.meta.url)('pino') as typeof Pino;

describe('the torn-line oracle', () => {
  it('reads a pino line whose field held a lone surrogate (written as U+FFFD) as one whole record', () => {
    // pino writes a lone surrogate of a field as is; encoded as UTF-8 it becomes U+FFFD's bytes.
    const file = join(scratchDir(), 'pino.log');
    const destination = pino.destination({ dest: file, sync: true });
    pino(destination).info({ hostile: 'a\uD800b' }, encodeRecord(0, 0, 'payload'));
    destination.flushSync();
    const line = readFileSync(file, 'utf8').trimEnd();
    expect(line).toContain('\uFFFD');
    expect(parseLine(line, 'ndjson')).toEqual({ ok: true, producer: 0, seq: 0 });
  });

  it('still calls a line torn, naming U+FFFD, when a cut multi-byte character broke the record', () => {
    const bytes = Buffer.from(`{"msg":"${encodeRecord(0, 0, '日本語')}"}`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('語', 'utf8')) + 1;
    const damaged = Buffer.concat([bytes.subarray(0, cut), bytes.subarray(cut + 1)]).toString('utf8');
    expect(parseLine(damaged, 'ndjson')).toMatchObject({ ok: false, reason: expect.stringContaining('U+FFFD') as unknown });
  });
});

describe('the ledger', () => {
  it('counts records spliced into one torn line as torn, not also lost', async () => {
    // A logger that writes two records without the newline between them: every byte arrived.
    const a = `{"msg":"${encodeRecord(0, 1, 'first')}"}`;
    const b = `{"msg":"${encodeRecord(0, 2, 'second')}"}`;
    const file = join(scratchDir(), 'spliced.log');
    writeFileSync(file, `{"msg":"${encodeRecord(0, 0, 'whole')}"}\n${a.slice(0, 20)}${b}${a.slice(20)}\n{"msg":"${encodeRecord(0, 3, 'whole')}"}\n`);
    const ledger = Ledger.createLocal({ producers: 1, capacity: 4 });
    await ledger.deliverFile(file, 'ndjson');
    const r = ledger.reconcile([4], 0);
    expect(r).toMatchObject({ produced: 4, delivered: 2, torn: 1, lost: 0 });
    expect(r.evidence.tornRecords).toBe(2);
  });

  it('still counts a record that never arrived at all as lost beside a torn one', async () => {
    const file = join(scratchDir(), 'gap.log');
    const cut = `{"msg":"${encodeRecord(0, 0, 'cut-off')}"}`.slice(0, 24);
    writeFileSync(file, `${cut}\n{"msg":"${encodeRecord(0, 2, 'whole')}"}\n`);
    const ledger = Ledger.createLocal({ producers: 1, capacity: 3 });
    await ledger.deliverFile(file, 'ndjson');
    expect(ledger.reconcile([3], 0)).toMatchObject({ delivered: 1, torn: 1, lost: 1 });
  });

  it('counts a record whose log() threw at the caller as refused, not also lost', async () => {
    // Record 1's log() threw (the scenario's unhandled-error finding); record 3 vanished silently.
    const file = join(scratchDir(), 'refused.log');
    writeFileSync(file, [0, 2, 4].map((seq) => `{"msg":"${encodeRecord(0, seq, 'whole')}"}\n`).join(''));
    const ledger = Ledger.createLocal({ producers: 1, capacity: 5 });
    await ledger.deliverFile(file, 'ndjson');
    const r = ledger.reconcile([5], 0, [{ producer: 0, seq: 1 }, { producer: 0, seq: 1 }]);
    expect(r).toMatchObject({ produced: 5, delivered: 3, lost: 1 });
    expect(r.evidence).toMatchObject({ refusedRecords: 1, refused: [{ producer: 0, seq: 1 }], missing: [{ producer: 0, from: 1, to: 1 }, { producer: 0, from: 3, to: 3 }] });
  });

  it('does not let a refused record that arrived anyway excuse another that was lost', async () => {
    const file = join(scratchDir(), 'refused-delivered.log');
    writeFileSync(file, [0, 1].map((seq) => `{"msg":"${encodeRecord(0, seq, 'whole')}"}\n`).join(''));
    const ledger = Ledger.createLocal({ producers: 1, capacity: 3 });
    await ledger.deliverFile(file, 'ndjson');
    // Record 1 threw after it was written; record 2 never arrived and did not throw.
    const r = ledger.reconcile([3], 0, [{ producer: 0, seq: 1 }, { producer: 0, seq: 7 }, { producer: -1, seq: 2 }]);
    expect(r).toMatchObject({ delivered: 2, lost: 1 });
    expect(r.evidence.refusedRecords).toBe(0);
  });
});

describe('memory judged against the backlog actually held', () => {
  const MB = 1024 * 1024;
  /** Samples of a run whose backlog rises to `backlogMb` while memory grows `perByte` per backlog byte, plus `churnMb` of the process's own. */
  const samples = (backlogMb: number, perByte: number, churnMb = 0): MemorySample[] =>
    Array.from({ length: 50 }, (_, i) => {
      const backlog = (backlogMb * MB * i) / 49;
      const produced = 1000 + Math.round(backlog / 100) + i * 10;
      return { produced, fileBytes: produced * 100 - backlog, rss: 100 * MB + backlog * perByte + ((churnMb * MB * i) / 49) * (i % 2) };
    });
  const judge = (s: MemorySample[], capabilities: Parameters<typeof memoryVerdict>[1]['capabilities'] = {}) =>
    memoryVerdict(s, { lineBytes: 100, droppedBytes: 0, capabilities, sink: 'slow sink' });

  it('flags a logger whose memory tracks the backlog it holds', () => {
    expect(judge(samples(6, 2)).finding).toMatchObject({ kind: 'unbounded-memory', severity: 'error' });
  });

  it('passes a bounded logger, whose held backlog stops at its bound, however much the process churns', () => {
    // The backlog rises to a 1.5 MB bound and stays there while the process grows 30 MB.
    const bounded: MemorySample[] = Array.from({ length: 50 }, (_, i) => {
      const backlog = Math.min(1.5 * MB, (1.5 * MB * i) / 10);
      const produced = 1000 + i * 500;
      return { produced, fileBytes: produced * 100 - backlog, rss: 100 * MB + (30 * MB * i) / 49 };
    });
    expect(judge(bounded).finding).toBeUndefined();
    // A copy of it with no bound holds everything: its backlog and its memory rise together.
    expect(judge(samples(6, 0.05)).summary).toMatch(/^memory bounded: 0.05 resident bytes per backlog byte/);
  });

  it('does not judge a backlog too shallow to tell from churn, and says so', () => {
    const verdict = judge(samples(1, 3));
    expect(verdict.finding).toBeUndefined();
    expect(verdict.summary).toMatch(/^memory not judged: the backlog held reached 1 MB/);
  });

  it('holds a declared bound as declared, and reports a declared grow policy as the fact it is', () => {
    expect(judge(samples(6, 2), { memoryBoundMb: 4 }).finding).toMatchObject({ kind: 'unbounded-memory', severity: 'error' });
    expect(judge(samples(6, 0.5), { memoryBoundMb: 4 }).finding).toBeUndefined();
    expect(judge(samples(6, 2), { overflow: 'grow' }).finding).toMatchObject({ kind: 'unbounded-memory', severity: 'info' });
  });
});

describe('each overflow policy held to its own promise', () => {
  const mix: LevelMix = { debug: 30, info: 50, warn: 10, error: 8, fatal: 2 };
  /** One producer of 400 records; `keep(seq)` says which arrived. */
  const contents = (keep: (seq: number) => boolean): SinkContents => {
    const set = new Set<number>();
    for (let seq = 0; seq < 400; seq++) if (keep(seq)) set.add(seq);
    return { delivered: new Map([[0, set]]), lines: set.size, bytes: set.size * 100, records: [] };
  };
  // A severity-blind drop of the middle of the run: ERRORs go as readily as INFOs.
  const blind = contents((seq) => seq < 100 || seq >= 300);
  const kinds = (policy: Parameters<typeof overflowFindings>[3], c: SinkContents, dropped: number) =>
    overflowFindings(c, [400], mix, policy, dropped).map((f) => `${f.kind}:${f.severity}`);

  it('drop-lowest-first: an ERROR dropped as readily as an INFO is a severity inversion', () => {
    expect(kinds('drop-lowest-first', blind, 200)).toEqual(['severity-inversion:error']);
  });

  it('drop-newest and drop-oldest: severity-blind by declaration, held to the end they keep', () => {
    expect(kinds('drop-newest', blind, 200)).toEqual(['severity-inversion:info']);
    expect(kinds('drop-oldest', blind, 200)).toEqual(['severity-inversion:info']);
    // drop-oldest that lost the newest record, drop-newest that lost the oldest: broken promises.
    expect(kinds('drop-oldest', contents((seq) => seq < 399), 1)).toContain('lost-records:error');
    expect(kinds('drop-newest', contents((seq) => seq > 0), 1)).toContain('lost-records:error');
  });

  it('block and grow: any reported drop contradicts the policy', () => {
    expect(kinds('block', contents(() => true), 0)).toEqual([]);
    expect(kinds('grow', blind, 200)).toEqual(['severity-inversion:info', 'lost-records:error']);
  });

  it('undeclared: the severity check is a reported fact', () => {
    expect(kinds(undefined, blind, 200)).toEqual(['severity-inversion:info']);
  });
});

describe("a scenario's read of a sink rotated across files", () => {
  it('counts the records of every file the adapter lists, and a file never created as empty', () => {
    const dir = scratchDir();
    const line = (seq: number): string => `${JSON.stringify({ msg: encodeRecord(0, seq, 'x') })}\n`;
    writeFileSync(join(dir, 'sink.log.1'), line(0) + line(1));
    writeFileSync(join(dir, 'sink.log.0'), line(2));
    writeFileSync(join(dir, 'sink.log'), line(3));
    const files = ['sink.log.1', 'sink.log.0', 'sink.log.missing', 'sink.log'].map((f) => join(dir, f));
    const all = readSinks(files, 'ndjson');
    expect(all.lines).toBe(4);
    expect(missingRecords(all, [4]).missing).toBe(0);
    // The current file alone misses what was rotated away: the read this replaces.
    expect(missingRecords(readSinks([join(dir, 'sink.log')], 'ndjson'), [4])).toMatchObject({ missing: 3, ranges: [{ producer: 0, from: 0, to: 2 }] });
  });
});
