/**
 * Checks a scenario makes on a sink file in the run's process, once every logger has closed:
 * which records arrived, which ERRORs were dropped while lower records of the same window were
 * kept, which records lost their trace context. The supervisor's ledger counts the whole run
 * afterwards; these checks name the records concerned for findings the ledger cannot see.
 */

import { existsSync, readFileSync } from 'node:fs';
import type { Capabilities, Level } from '../contract/adapter.js';
import { levelAt, SEVERITY, type LevelMix } from '../contract/level-mix.js';
import { parseLine } from './record.js';
import type { Finding } from '../contract/result.js';

export interface SinkContents {
  /** Delivered sequence numbers per producer. */
  readonly delivered: Map<number, Set<number>>;
  readonly lines: number;
  readonly bytes: number;
  /** Whole-record lines, in file order. */
  readonly records: readonly { readonly producer: number; readonly seq: number; readonly line: string }[];
}

/** Reads a sink file whole (scenario-sized files); a file never created reads as empty. */
export function readSink(file: string, format: Capabilities['format'], keepLines = false): SinkContents {
  const delivered = new Map<number, Set<number>>();
  const records: { producer: number; seq: number; line: string }[] = [];
  if (!existsSync(file)) return { delivered, lines: 0, bytes: 0, records };
  const text = readFileSync(file, 'utf8');
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines++;
    const parsed = parseLine(line, format);
    if (!parsed.ok) continue;
    let set = delivered.get(parsed.producer);
    if (set === undefined) delivered.set(parsed.producer, (set = new Set()));
    set.add(parsed.seq);
    if (keepLines) records.push({ producer: parsed.producer, seq: parsed.seq, line });
  }
  return { delivered, lines, bytes: Buffer.byteLength(text), records };
}

export interface MissingRecords {
  readonly missing: number;
  /** Up to ten ranges of missing sequence numbers. */
  readonly ranges: readonly { readonly producer: number; readonly from: number; readonly to: number }[];
}

/** Records produced but absent from `contents`, per producer's count. */
export function missingRecords(contents: SinkContents, produced: readonly number[]): MissingRecords {
  let missing = 0;
  const ranges: { producer: number; from: number; to: number }[] = [];
  produced.forEach((count, producer) => {
    const got = contents.delivered.get(producer) ?? new Set<number>();
    let from = -1;
    for (let seq = 0; seq <= count; seq++) {
      const absent = seq < count && !got.has(seq);
      if (absent) missing++;
      if (absent && from < 0) from = seq;
      if (!absent && from >= 0) {
        if (ranges.length < 10) ranges.push({ producer, from, to: seq - 1 });
        from = -1;
      }
    }
  });
  return { missing, ranges };
}

/** Missing records closer than this (in one producer's sequence) belong to one overflow window. */
const WINDOW_GAP = 64;

/**
 * Severity inversion: under overflow, ERROR and FATAL records were dropped at least as readily as
 * DEBUG and INFO records of the same windows, so the logger did not shed lower severities first.
 * A window is a cluster of one producer's missing records (gaps under 64 records); levels come
 * from the mix, a pure function of (producer, seq). Comparing rates, not single records, keeps
 * the verdict independent of when the sink happened to drain: a severity-aware logger can still
 * lose an ERROR that arrives while every byte it holds is already on its way to the sink.
 */
export function severityInversion(contents: SinkContents, produced: readonly number[], mix: LevelMix, overflow: Capabilities['overflow']): Finding | undefined {
  const dropped: { producer: number; seq: number; level: Level }[] = [];
  const kept: { producer: number; seq: number; level: Level }[] = [];
  const windows: { producer: number; from: number; to: number }[] = [];
  let high = 0;
  let highDropped = 0;
  let lower = 0;
  let lowerDropped = 0;
  produced.forEach((count, producer) => {
    const got = contents.delivered.get(producer) ?? new Set<number>();
    let from = -1;
    let last = -1;
    const close = (): void => {
      if (from < 0) return;
      windows.push({ producer, from, to: last });
      for (let seq = from; seq <= last; seq++) {
        const level = levelAt(mix, producer, seq);
        const isHigh = SEVERITY[level] >= SEVERITY.error;
        const isLower = SEVERITY[level] <= SEVERITY.info;
        const missing = !got.has(seq);
        if (isHigh) {
          high++;
          if (missing) {
            highDropped++;
            if (dropped.length < 5) dropped.push({ producer, seq, level });
          }
        } else if (isLower) {
          lower++;
          if (missing) lowerDropped++;
          else if (kept.length < 5 && dropped.length > 0) kept.push({ producer, seq, level });
        }
      }
      from = -1;
    };
    for (let seq = 0; seq < count; seq++) {
      if (got.has(seq)) continue;
      if (from >= 0 && seq - last > WINDOW_GAP) close();
      if (from < 0) from = seq;
      last = seq;
    }
    close();
  });
  if (highDropped === 0) return undefined;
  const highRate = highDropped / Math.max(1, high);
  const lowerRate = lowerDropped / Math.max(1, lower);
  if (highRate < lowerRate) return undefined;
  const pct = (r: number): number => Math.round(r * 1000) / 10;
  return {
    kind: 'severity-inversion',
    // Held to it only when the logger declares an overflow policy; otherwise a reported fact.
    severity: overflow !== undefined ? 'error' : 'info',
    message: `Under overflow ${highDropped} of ${high} ERROR/FATAL records (${pct(highRate)}%) were dropped, against ${lowerDropped} of ${lower} DEBUG/INFO records (${pct(lowerRate)}%) of the same windows: lower severities were not shed first${overflow !== undefined ? ` (declared overflow policy: ${overflow})` : ''}`,
    evidence: {
      highDropped,
      high,
      highDropPercent: pct(highRate),
      lowerDropped,
      lower,
      lowerDropPercent: pct(lowerRate),
      droppedExamples: dropped,
      keptLowerExamples: kept,
      windows: windows.slice(0, 10),
      overflow: overflow ?? 'undeclared',
    },
  };
}

/** ERROR and FATAL records missing, whatever else was kept. */
export function missingHigh(contents: SinkContents, produced: readonly number[], mix: LevelMix): { count: number; examples: { producer: number; seq: number; level: Level }[] } {
  let count = 0;
  const examples: { producer: number; seq: number; level: Level }[] = [];
  produced.forEach((n, producer) => {
    const got = contents.delivered.get(producer) ?? new Set<number>();
    for (let seq = 0; seq < n; seq++) {
      const level = levelAt(mix, producer, seq);
      if (got.has(seq) || SEVERITY[level] < SEVERITY.error) continue;
      count++;
      if (examples.length < 5) examples.push({ producer, seq, level });
    }
  });
  return { count, examples };
}

const CONTEXT_PAYLOAD = /lj:\d+:\d+:[0-9a-f]{8}:T(p\d+c\d+)-[^;]*;/;
const TRACE_ID = /p\d+c\d+/g;

/**
 * Records logged inside a trace context carry it: each payload starts with `T<traceId>-`, and
 * the line outside the message must carry that same id (as a field, or in a text prefix).
 */
export function contextLosses(contents: SinkContents): { checked: number; lost: number; samples: Record<string, unknown>[] } {
  let checked = 0;
  let lost = 0;
  const samples: Record<string, unknown>[] = [];
  for (const r of contents.records) {
    const m = CONTEXT_PAYLOAD.exec(r.line);
    if (m === null) continue;
    checked++;
    const expected = m[1] as string;
    const outside = r.line.slice(0, m.index) + r.line.slice(m.index + m[0].length);
    const found: string[] = outside.match(TRACE_ID) ?? [];
    if (found.includes(expected)) continue;
    lost++;
    if (samples.length < 5) {
      samples.push({ producer: r.producer, seq: r.seq, expected, carried: found.length > 0 ? found : 'no trace context', line: r.line.length > 240 ? `${r.line.slice(0, 240)}…` : r.line });
    }
  }
  return { checked, lost, samples };
}
