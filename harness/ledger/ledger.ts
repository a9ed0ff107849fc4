/**
 * The record ledger: reconciles what producers logged against what the sinks received.
 *
 * One bit per (producer, sequence number) says "delivered at least once". The state lives in
 * one buffer of 32-bit words; when the buffer is a SharedArrayBuffer any thread of the run (a
 * producer, the logger's own worker, a sink thread) can mark deliveries concurrently: a
 * delivery is one `Atomics.or`, whose returned old word tells a first delivery from a
 * duplicate without a lock. Counters are updated with `Atomics.add`; the per-producer highest
 * sequence seen is a compare-exchange loop, so "reordered" is exact under concurrent marking.
 */

import { createReadStream } from 'node:fs';
import { parseLine, REENTRY_MARK } from './record.js';
import type { LedgerCounts } from '../contract/result.js';

/** Words of per-producer counters. */
const P_DELIVERED = 0;
const P_DUPLICATED = 1;
const P_REORDERED = 2;
const P_MAX_SEEN = 3;
const P_STRIDE = 4;

/** Header words. */
const H_PRODUCERS = 0;
const H_CAPACITY = 1;
const H_FOREIGN = 2;
const H_DUP_EVIDENCE = 3;
const H_REORDER_EVIDENCE = 4;
const HEADER_WORDS = 8;

/** Evidence slots kept for duplicates (producer, seq) and reorders (producer, seq, after). */
const EVIDENCE_SLOTS = 8;

export interface LedgerShape {
  /** Number of producers; producer ids are 0..producers-1. */
  readonly producers: number;
  /** Highest number of records any one producer may log; sequence numbers are 0..capacity-1. */
  readonly capacity: number;
}

export interface RecordRef {
  readonly producer: number;
  readonly seq: number;
}

export interface TornSample {
  readonly line: number;
  readonly reason: string;
  readonly text: string;
  /** Byte offset of the line's first byte in the sink file, when read from a file. */
  readonly offset?: number;
  /** Length of the line in bytes, without its newline. */
  readonly bytes?: number;
  /**
   * Every record marker found in the line, with the byte offset (from the line's start) where
   * each begins: whose bytes were spliced together, and where one record's bytes stop.
   */
  readonly markers?: readonly { readonly producer: number; readonly seq: number; readonly at: number }[];
}

export interface MissingRange {
  readonly producer: number;
  readonly from: number;
  readonly to: number;
}

export interface Reconciliation extends LedgerCounts {
  readonly evidence: {
    readonly missing: readonly MissingRange[];
    readonly duplicates: readonly RecordRef[];
    readonly reorders: readonly (RecordRef & { readonly after: number })[];
    readonly torn: readonly TornSample[];
    /** The logger reported more drops than records are missing. */
    readonly overReportedDrops: number;
    /**
     * Records never delivered whole whose marker is inside a torn line: their bytes reached the
     * sink, spliced with another record's, so they are counted torn, not also lost.
     */
    readonly tornRecords: number;
    /**
     * Records never delivered whose log() call threw at the caller (the scenario's `refused`):
     * the caller was told, and the throw is its own finding, so they are counted refused, not
     * also lost.
     */
    readonly refusedRecords: number;
    /** The first ten of them. */
    readonly refused: readonly RecordRef[];
  };
}

export class Ledger {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly producers: number;
  readonly capacity: number;
  readonly #words: Int32Array;
  readonly #countersAt: number;
  readonly #evidenceAt: number;
  readonly #bitsAt: number;
  readonly #wordsPerProducer: number;
  /** Torn lines are counted by whoever reads lines; samples stay with that reader. */
  #torn = 0;
  readonly #tornSamples: TornSample[] = [];
  /** Per producer, the sequence numbers whose marker was seen inside a torn line. */
  readonly #tornMarkers = new Map<number, Set<number>>();
  #reentrant = 0;

  /** Bytes needed for a ledger of this shape: about one bit per record. */
  static byteLength(shape: LedgerShape): number {
    const wordsPerProducer = Math.ceil(shape.capacity / 32);
    const words =
      HEADER_WORDS + shape.producers * P_STRIDE + EVIDENCE_SLOTS * 5 + shape.producers * wordsPerProducer;
    return words * 4;
  }

  /** A ledger in a SharedArrayBuffer, to be shared with other threads through `attach`. */
  static createShared(shape: LedgerShape): Ledger {
    return new Ledger(new SharedArrayBuffer(Ledger.byteLength(shape)), shape);
  }

  /** A ledger in ordinary memory, for a single reader such as the supervisor. */
  static createLocal(shape: LedgerShape): Ledger {
    return new Ledger(new ArrayBuffer(Ledger.byteLength(shape)), shape);
  }

  /** Opens a ledger another thread created, from its buffer. */
  static attach(buffer: SharedArrayBuffer | ArrayBuffer): Ledger {
    const header = new Int32Array(buffer, 0, HEADER_WORDS);
    return new Ledger(buffer, { producers: header[H_PRODUCERS] ?? 0, capacity: header[H_CAPACITY] ?? 0 });
  }

  private constructor(buffer: SharedArrayBuffer | ArrayBuffer, shape: LedgerShape) {
    if (!Number.isInteger(shape.producers) || shape.producers < 1) {
      throw new RangeError(`Expected \`producers\` to be a positive integer, got \`${shape.producers}\``);
    }
    if (!Number.isInteger(shape.capacity) || shape.capacity < 0 || shape.capacity > 2 ** 31 - 1) {
      throw new RangeError(`Expected \`capacity\` to be an integer in [0, 2^31), got \`${shape.capacity}\``);
    }
    this.buffer = buffer;
    this.producers = shape.producers;
    this.capacity = shape.capacity;
    this.#words = new Int32Array(buffer);
    this.#wordsPerProducer = Math.ceil(shape.capacity / 32);
    this.#countersAt = HEADER_WORDS;
    this.#evidenceAt = this.#countersAt + shape.producers * P_STRIDE;
    this.#bitsAt = this.#evidenceAt + EVIDENCE_SLOTS * 5;
    const w = this.#words;
    if (w[H_CAPACITY] === 0 && w[H_PRODUCERS] === 0) {
      // Fresh buffer: only the creating thread gets here, before the buffer is shared.
      w[H_PRODUCERS] = shape.producers;
      w[H_CAPACITY] = shape.capacity;
      for (let p = 0; p < shape.producers; p++) w[this.#countersAt + p * P_STRIDE + P_MAX_SEEN] = -1;
    }
  }

  /**
   * Marks one delivery of record (producer, seq). Safe to call from any thread that holds
   * this ledger's SharedArrayBuffer. Returns false for a record this run never produced.
   */
  deliver(producer: number, seq: number): boolean {
    if (producer >= this.producers || seq >= this.capacity || producer < 0 || seq < 0) {
      Atomics.add(this.#words, H_FOREIGN, 1);
      return false;
    }
    const w = this.#words;
    const word = this.#bitsAt + producer * this.#wordsPerProducer + (seq >>> 5);
    const bit = 1 << (seq & 31);
    const counters = this.#countersAt + producer * P_STRIDE;
    if ((Atomics.or(w, word, bit) & bit) !== 0) {
      Atomics.add(w, counters + P_DUPLICATED, 1);
      this.#keepEvidence(H_DUP_EVIDENCE, 0, producer, seq, 0);
      return true;
    }
    Atomics.add(w, counters + P_DELIVERED, 1);
    let max = Atomics.load(w, counters + P_MAX_SEEN);
    while (seq > max) {
      const seen = Atomics.compareExchange(w, counters + P_MAX_SEEN, max, seq);
      if (seen === max) return true;
      max = seen;
    }
    Atomics.add(w, counters + P_REORDERED, 1);
    this.#keepEvidence(H_REORDER_EVIDENCE, EVIDENCE_SLOTS * 2, producer, seq, max);
    return true;
  }

  /** Reads one delivered line (without its newline) and marks it delivered or torn. */
  deliverLine(line: string, format: 'ndjson' | 'text', lineNumber = 0, offset?: number): void {
    const parsed = parseLine(line, format);
    if (parsed.ok && this.deliver(parsed.producer, parsed.seq)) return;
    if (!parsed.ok && line.includes(REENTRY_MARK)) {
      this.#reentrant++;
      return;
    }
    const reason = parsed.ok ? `record ${parsed.producer}:${parsed.seq} was never produced by this run` : parsed.reason;
    this.markTorn(reason, line, lineNumber, offset);
  }

  /** Lines a harness sink logged from inside its own write (reentrant-sink), not records of the run. */
  get reentrantLines(): number {
    return this.#reentrant;
  }

  markTorn(reason: string, text: string, lineNumber = 0, offset?: number): void {
    this.#torn++;
    const re = /lj:(\d{1,9}):(\d{1,9}):/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const producer = Number(m[1]);
      if (producer >= this.producers) continue;
      let set = this.#tornMarkers.get(producer);
      if (set === undefined) this.#tornMarkers.set(producer, (set = new Set()));
      set.add(Number(m[2]));
    }
    if (this.#tornSamples.length < 5) {
      this.#tornSamples.push({
        line: lineNumber,
        reason,
        text: text.length > 240 ? `${text.slice(0, 240)}…` : text,
        ...(offset !== undefined ? { offset } : {}),
        bytes: Buffer.byteLength(text, 'utf8'),
        markers: findMarkers(text),
      });
    }
  }

  /**
   * Reads a sink file back after the run, line by line, without holding it in memory whole.
   * A final line without a newline is still read: a record cut off at exit shows as torn.
   */
  async deliverFile(path: string, format: 'ndjson' | 'text'): Promise<{ lines: number; bytes: number }> {
    return readFileLines(path, (line, lineNumber, offset) => this.deliverLine(line, format, lineNumber, offset));
  }

  /**
   * Finds the highest producer id and sequence number in a sink file, for runs cut short before
   * they reported what they produced: the ledger is then sized to hold every record that arrived.
   */
  static async scanShape(path: string, format: 'ndjson' | 'text'): Promise<LedgerShape> {
    let producers = 1;
    let capacity = 0;
    await readFileLines(path, (line) => {
      const parsed = parseLine(line, format);
      if (!parsed.ok || parsed.producer > 4096) return;
      producers = Math.max(producers, parsed.producer + 1);
      capacity = Math.max(capacity, parsed.seq + 1);
    });
    return { producers, capacity };
  }

  /**
   * Reconciles against what each producer reports it produced. A producer's count is raised to
   * one past the highest sequence delivered: a record that arrived was certainly produced, even
   * when the producer died before reporting it. `refused` names the records whose log() call
   * threw at the caller: one that never arrived was refused, not lost; one that arrived anyway
   * is delivered like any other.
   */
  reconcile(producedByProducer: readonly number[], droppedReported: number, refused: readonly RecordRef[] = []): Reconciliation {
    const w = this.#words;
    let produced = 0;
    let delivered = 0;
    let duplicated = 0;
    let reordered = 0;
    const missing: MissingRange[] = [];
    let tornRecords = 0;
    const producedAt: number[] = [];
    for (let p = 0; p < this.producers; p++) {
      const counters = this.#countersAt + p * P_STRIDE;
      const maxSeen = Atomics.load(w, counters + P_MAX_SEEN);
      const producedHere = Math.min(this.capacity, Math.max(producedByProducer[p] ?? 0, maxSeen + 1));
      producedAt[p] = producedHere;
      const deliveredHere = Atomics.load(w, counters + P_DELIVERED);
      produced += producedHere;
      delivered += deliveredHere;
      duplicated += Atomics.load(w, counters + P_DUPLICATED);
      reordered += Atomics.load(w, counters + P_REORDERED);
      if (deliveredHere < producedHere && missing.length < 10) this.#collectMissing(p, producedHere, missing);
      for (const seq of this.#tornMarkers.get(p) ?? []) {
        if (seq < producedHere && !this.#has(p, seq)) tornRecords++;
      }
    }
    // A refused record is counted once, however often the scenario names it, and only when it
    // is absent and not inside a torn line (that one is already counted torn).
    const refusedAbsent = new Map<string, RecordRef>();
    // The list comes from the scenario's code, through the child: anything but a list of whole
    // record references is ignored (a record it fails to name stays counted lost).
    for (const ref of Array.isArray(refused) ? (refused as readonly unknown[]) : []) {
      if (typeof ref !== 'object' || ref === null) continue;
      const { producer, seq } = ref as { producer?: unknown; seq?: unknown };
      if (typeof producer !== 'number' || typeof seq !== 'number' || !Number.isInteger(producer) || !Number.isInteger(seq) || producer < 0 || seq < 0) continue;
      if (seq >= (producedAt[producer] ?? 0)) continue;
      if (this.#has(producer, seq) || this.#tornMarkers.get(producer)?.has(seq) === true) continue;
      refusedAbsent.set(`${producer}:${seq}`, { producer, seq });
    }
    const absent = produced - delivered;
    // A torn record is torn, not also lost: its bytes are in the sink, spliced with another's.
    // A refused record is not lost either: log() threw at its caller, who was told.
    const lost = Math.max(0, absent - tornRecords - refusedAbsent.size - droppedReported);
    return {
      produced,
      delivered,
      droppedReported,
      lost,
      duplicated,
      reordered,
      torn: this.#torn + Atomics.load(w, H_FOREIGN),
      evidence: {
        missing,
        duplicates: this.#readEvidence(H_DUP_EVIDENCE, 0).map(([producer, seq]) => ({ producer, seq })),
        reorders: this.#readEvidence(H_REORDER_EVIDENCE, EVIDENCE_SLOTS * 2).map(([producer, seq, after]) => ({
          producer,
          seq,
          after,
        })),
        torn: [...this.#tornSamples],
        overReportedDrops: Math.max(0, droppedReported - (absent - tornRecords - refusedAbsent.size)),
        tornRecords,
        refusedRecords: refusedAbsent.size,
        refused: [...refusedAbsent.values()].slice(0, 10),
      },
    };
  }

  #has(producer: number, seq: number): boolean {
    const word = Atomics.load(this.#words, this.#bitsAt + producer * this.#wordsPerProducer + (seq >>> 5));
    return (word & (1 << (seq & 31))) !== 0;
  }

  /** Finds runs of zero bits below `produced`, stopping once ten ranges are known. */
  #collectMissing(producer: number, produced: number, out: MissingRange[]): void {
    const w = this.#words;
    const base = this.#bitsAt + producer * this.#wordsPerProducer;
    let from = -1;
    for (let seq = 0; seq < produced; ) {
      const word = Atomics.load(w, base + (seq >>> 5));
      if (word === -1 && (seq & 31) === 0 && seq + 32 <= produced) {
        if (from >= 0) {
          out.push({ producer, from, to: seq - 1 });
          from = -1;
          if (out.length >= 10) return;
        }
        seq += 32;
        continue;
      }
      const has = (word & (1 << (seq & 31))) !== 0;
      if (!has && from < 0) from = seq;
      if (has && from >= 0) {
        out.push({ producer, from, to: seq - 1 });
        from = -1;
        if (out.length >= 10) return;
      }
      seq++;
    }
    if (from >= 0) out.push({ producer, from, to: produced - 1 });
  }

  #keepEvidence(counterWord: number, offset: number, producer: number, seq: number, after: number): void {
    const slot = Atomics.add(this.#words, counterWord, 1);
    if (slot >= EVIDENCE_SLOTS) return;
    const at = this.#evidenceAt + offset + slot * (offset === 0 ? 2 : 3);
    // Plain stores: evidence is read only after the run, once every delivering thread is done.
    this.#words[at] = producer;
    this.#words[at + 1] = seq;
    if (offset !== 0) this.#words[at + 2] = after;
  }

  #readEvidence(counterWord: number, offset: number): [number, number, number][] {
    const n = Math.min(EVIDENCE_SLOTS, Atomics.load(this.#words, counterWord));
    const stride = offset === 0 ? 2 : 3;
    const out: [number, number, number][] = [];
    for (let i = 0; i < n; i++) {
      const at = this.#evidenceAt + offset + i * stride;
      const w = this.#words;
      out.push([w[at] ?? 0, w[at + 1] ?? 0, stride === 3 ? (w[at + 2] ?? 0) : 0]);
    }
    return out;
  }
}

/**
 * Reads a file line by line without holding it in memory whole. A final line without a newline
 * is still read: a record cut off at exit shows as torn.
 */
async function readFileLines(path: string, onLine: (line: string, lineNumber: number, offset: number) => void): Promise<{ lines: number; bytes: number }> {
  let pending: Buffer | undefined;
  let lines = 0;
  let bytes = 0;
  /** Byte offset in the file of the line being read. */
  let lineStart = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    let start = 0;
    let nl = buf.indexOf(10, start);
    while (nl >= 0) {
      const line = pending === undefined ? buf.toString('utf8', start, nl) : Buffer.concat([pending, buf.subarray(start, nl)]).toString('utf8');
      pending = undefined;
      onLine(line, ++lines, lineStart);
      lineStart = bytes - buf.length + nl + 1;
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      pending = pending === undefined ? Buffer.from(rest) : Buffer.concat([pending, rest]);
    }
  }
  if (pending !== undefined && pending.length > 0) onLine(pending.toString('utf8'), ++lines, lineStart);
  return { lines, bytes };
}

/** Record markers in a line (at most eight), with the byte offset where each begins. */
function findMarkers(text: string): { producer: number; seq: number; at: number }[] {
  const out: { producer: number; seq: number; at: number }[] = [];
  const re = /lj:(\d{1,9}):(\d{1,9}):/g;
  for (let m = re.exec(text); m !== null && out.length < 8; m = re.exec(text)) {
    out.push({ producer: Number(m[1]), seq: Number(m[2]), at: Buffer.byteLength(text.slice(0, m.index), 'utf8') });
  }
  return out;
}
