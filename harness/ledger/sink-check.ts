/**
 * Checks a scenario makes on a sink file in the run's process, once every logger has closed:
 * which records arrived, which ERRORs were dropped while lower records of the same window were
 * kept, which records lost their trace context. The supervisor's ledger counts the whole run
 * afterwards; these checks name the records concerned for findings the ledger cannot see.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
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
  return readSinks([file], format, keepLines);
}

/**
 * Reads every file of one sink, in the order given (a rotating logger's files, oldest first, as
 * its adapter's `sinkFiles` lists them), as one sink; files never created read as empty.
 */
export function readSinks(files: readonly string[], format: Capabilities['format'], keepLines = false): SinkContents {
  const delivered = new Map<number, Set<number>>();
  const records: { producer: number; seq: number; line: string }[] = [];
  let lines = 0;
  let bytes = 0;
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    bytes += Buffer.byteLength(text);
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
  }
  return { delivered, lines, bytes, records };
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

/** One look at memory against the backlog, taken while producers log. */
export interface MemorySample {
  /** Records logged so far, all producers. */
  readonly produced: number;
  /** Bytes in the sink file. */
  readonly fileBytes: number;
  /** Resident memory of the run's process, in bytes. */
  readonly rss: number;
}

/** Samples memory against the backlog every `everyMs` until stopped (an unref'd timer). */
export function sampleMemory(file: string, producedSoFar: () => number, everyMs = 20): { readonly samples: readonly MemorySample[]; stop(): void } {
  const samples: MemorySample[] = [];
  const take = (): void => {
    let fileBytes = 0;
    try {
      fileBytes = statSync(file).size;
    } catch {
      // not created yet
    }
    samples.push({ produced: producedSoFar(), fileBytes, rss: process.memoryUsage.rss() });
  };
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}

const MB = 1024 * 1024;
/**
 * A backlog the logger held of less than this is too shallow to tell its memory from the
 * process's own churn (worker heaps, GC timing): the verdict is then "not judged", never a
 * failure. Well under what a slow or stalled sink leaves behind a logger that buffers it.
 */
export const MEMORY_JUDGE_FLOOR_MB = 2;
/** Resident bytes per backlog byte from which memory tracks the backlog (records are held as UTF-16 strings, 2 bytes per character and more). */
const TRACKING_SLOPE = 0.5;

/**
 * Memory judged against the backlog actually measured, not a nominal pace: the backlog of a
 * sample is what was logged (at the mean line size) and neither in the sink file nor reported
 * dropped, i.e. what the logger (and the pipe between) held back at that moment.
 *
 * - A logger that declares `memoryBoundMb` is held to it: resident growth beyond the bound fails,
 *   however deep the backlog went.
 * - A logger that declares `overflow: 'grow'` documents that it buffers the backlog: growth with
 *   it is reported as that trade-off (`info`), not as a failure.
 * - Otherwise memory tracks the backlog when, over the samples up to the deepest backlog,
 *   resident memory rose at least half a byte per byte of backlog (least squares) and the
 *   backlog reached `MEMORY_JUDGE_FLOOR_MB`. A shallower backlog is not judged: the verdict
 *   says so, with the figures, and does not fail. The slope does not depend on how fast the
 *   sink drained, only on what the logger does with what it holds.
 */
export function memoryVerdict(
  samples: readonly MemorySample[],
  options: { readonly lineBytes: number; readonly droppedBytes: number; readonly capabilities: Pick<Capabilities, 'memoryBoundMb' | 'overflow'>; readonly sink: string },
): { readonly finding?: Finding; readonly summary: string } {
  const { lineBytes, droppedBytes, capabilities } = options;
  const backlogOf = (s: MemorySample): number => Math.max(0, s.produced * lineBytes - s.fileBytes - droppedBytes);
  const start = samples.findIndex((s) => s.produced > 0);
  if (start < 0) return { summary: 'memory not judged: no sample while records were logged' };
  const live = samples.slice(start);
  const base = live[0] as MemorySample;
  let deepestAt = 0;
  let peak = base;
  live.forEach((s, i) => {
    if (backlogOf(s) > backlogOf(live[deepestAt] as MemorySample)) deepestAt = i;
    if (s.rss > peak.rss) peak = s;
  });
  const rising = live.slice(0, deepestAt + 1);
  const backlogMb = backlogOf(live[deepestAt] as MemorySample) / MB;
  const growthMb = Math.max(0, peak.rss - base.rss) / MB;
  const slope = leastSquaresSlope(rising.map((s) => [backlogOf(s), s.rss - base.rss]));
  const round = (n: number): number => Math.round(n * 100) / 100;
  const evidence = {
    rssGrowthMb: round(growthMb),
    rssBaseMb: round(base.rss / MB),
    rssPeakMb: round(peak.rss / MB),
    backlogMbAtDeepest: round(backlogMb),
    backlogRecordsAtDeepest: Math.round((backlogMb * MB) / Math.max(1, lineBytes)),
    rssBytesPerBacklogByte: round(slope),
    lineBytes: Math.round(lineBytes),
    boundMb: capabilities.memoryBoundMb ?? 'undeclared',
    overflow: capabilities.overflow ?? 'undeclared',
    judgeFloorMb: MEMORY_JUDGE_FLOOR_MB,
    samples: samples.length,
  };
  const held = `while up to ${evidence.backlogRecordsAtDeepest} records (${evidence.backlogMbAtDeepest} MB) waited for the ${options.sink}`;
  const declared = capabilities.memoryBoundMb;
  if (declared !== undefined) {
    if (growthMb <= declared) return { summary: `memory within its declared bound: grew ${evidence.rssGrowthMb} of ${declared} MB ${held}` };
    return {
      finding: {
        kind: 'unbounded-memory',
        severity: 'error',
        message: `Resident memory grew ${evidence.rssGrowthMb} MB ${held}, beyond the logger's declared bound of ${declared} MB`,
        evidence,
      },
      summary: 'memory beyond its declared bound',
    };
  }
  if (backlogMb < MEMORY_JUDGE_FLOOR_MB) {
    return { summary: `memory not judged: the backlog held reached ${evidence.backlogMbAtDeepest} MB, under the ${MEMORY_JUDGE_FLOOR_MB} MB needed to tell it from the process's own churn (grew ${evidence.rssGrowthMb} MB)` };
  }
  if (slope < TRACKING_SLOPE) {
    return { summary: `memory bounded: ${evidence.rssBytesPerBacklogByte} resident bytes per backlog byte ${held}` };
  }
  const grows = capabilities.overflow === 'grow';
  return {
    finding: {
      kind: 'unbounded-memory',
      severity: grows ? 'info' : 'error',
      message: `Resident memory grew ${evidence.rssGrowthMb} MB, ${evidence.rssBytesPerBacklogByte} bytes per byte of backlog, ${held}: the logger buffers the backlog in memory${grows ? " (its declared overflow policy is 'grow': the documented trade-off of this configuration)" : ''}`,
      evidence,
    },
    summary: 'memory tracks the backlog',
  };
}

/** The least-squares slope of y on x; 0 when x does not vary. */
function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let cov = 0;
  let varx = 0;
  for (const [x, y] of points) {
    cov += (x - mx) * (y - my);
    varx += (x - mx) ** 2;
  }
  return varx > 0 ? cov / varx : 0;
}

/**
 * Each declared overflow policy held to its own promise (issue 13), on what a stalled or
 * overflowing sink received:
 * - `drop-lowest-first`: no ERROR/FATAL dropped as readily as DEBUG/INFO (`severity-inversion`).
 * - `drop-newest`, `drop-oldest`: severity-blind by declaration, so a severity inversion is a
 *   reported fact; `drop-oldest` keeps the newest, so each producer's last record arrives, and
 *   `drop-newest` keeps the oldest, so each producer's first record arrives (`lost-records`
 *   with the policy's name otherwise).
 * - `block`, `grow`: nothing is dropped at all; a drop the logger reports contradicts the
 *   policy (`lost-records`, since those records are gone).
 * - undeclared: the severity check as a reported fact.
 */
export function overflowFindings(contents: SinkContents, produced: readonly number[], mix: LevelMix, overflow: Capabilities['overflow'], droppedReported: number): Finding[] {
  const out: Finding[] = [];
  const inversion = severityInversion(contents, produced, mix, overflow === 'drop-lowest-first' ? overflow : undefined);
  if (inversion !== undefined) {
    out.push(
      overflow === undefined || overflow === 'drop-lowest-first'
        ? inversion
        : { ...inversion, message: `${inversion.message} (declared overflow policy: ${overflow}, which does not look at severity: a fact, not a broken promise)`, evidence: { ...inversion.evidence, overflow } },
    );
  }
  if (overflow === 'block' || overflow === 'grow') {
    if (droppedReported > 0) {
      out.push({
        kind: 'lost-records',
        severity: 'error',
        message: `The logger reported ${droppedReported} records dropped, though its declared overflow policy '${overflow}' drops none`,
        evidence: { signature: 'overflow-policy', overflow, droppedReported },
      });
    }
  } else if (overflow === 'drop-oldest' || overflow === 'drop-newest') {
    const end = overflow === 'drop-oldest' ? 'last' : 'first';
    const broken: { producer: number; seq: number }[] = [];
    produced.forEach((n, producer) => {
      if (n === 0) return;
      const seq = end === 'last' ? n - 1 : 0;
      if (!(contents.delivered.get(producer)?.has(seq) ?? false)) broken.push({ producer, seq });
    });
    if (broken.length > 0) {
      out.push({
        kind: 'lost-records',
        severity: 'error',
        message: `The ${end} record of ${broken.length} producer(s) never arrived, though the declared overflow policy '${overflow}' keeps the ${end === 'last' ? 'newest' : 'oldest'} records`,
        evidence: { signature: 'overflow-policy', overflow, missing: broken.slice(0, 10) },
      });
    }
  }
  return out;
}
