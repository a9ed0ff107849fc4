/**
 * The record marker: how a logged message carries its producer id, sequence number and a
 * checksum, so the ledger can tell a whole record from a torn or corrupted one.
 *
 * A message looks like `lj:3:1042:9f1c22ab:Qx81...;`. The payload alphabet excludes `:` and
 * `;`, and every character in the marker is one that JSON and common text formatters leave
 * unescaped, so the marker reads back byte for byte from any logger's output.
 */

export const MARKER_PREFIX = 'lj:';
import type { PayloadText } from '../contract/sink-spec.js';
export type { PayloadText };
export const MARKER_END = ';';
/**
 * What a record logged by a harness sink from inside its own write says (reentrant-sink): the
 * ledger counts such lines apart, neither as the run's records nor as torn ones.
 */
export const REENTRY_MARK = 'lj-reentry:';

const PAYLOAD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** FNV-1a over the producer, the sequence number and the payload's UTF-16 code units. */
export function recordHash(producer: number, seq: number, payload: string): number {
  let h = 0x811c9dc5 ^ producer;
  h = Math.imul(h, 0x01000193) ^ seq;
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < payload.length; i++) {
    h ^= payload.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function encodeRecord(producer: number, seq: number, payload: string): string {
  const hash = recordHash(producer, seq, payload).toString(16).padStart(8, '0');
  return `${MARKER_PREFIX}${producer}:${seq}:${hash}:${payload}${MARKER_END}`;
}

export type ParsedLine =
  | { readonly ok: true; readonly producer: number; readonly seq: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads one delivered line. A line is a whole record when it holds exactly one complete
 * marker whose checksum matches, and, for `ndjson` output, parses as one JSON value.
 */
export function parseLine(line: string, format: 'ndjson' | 'text'): ParsedLine {
  const parsed = parseWhole(line, format);
  // A replacement character outside the marker does not make a whole record torn: a logger
  // that writes a lone surrogate of a field as UTF-8 writes U+FFFD's bytes, and the line still
  // parses as one record with an intact marker and checksum (hostile-input). Only a line that
  // is not one whole record is torn, and then U+FFFD is the most specific evidence of why.
  if (!parsed.ok && line.includes('\uFFFD')) {
    return { ok: false, reason: 'U+FFFD replacement character: the bytes of a multi-byte character were split or mangled' };
  }
  return parsed;
}

function parseWhole(line: string, format: 'ndjson' | 'text'): ParsedLine {
  const start = line.indexOf(MARKER_PREFIX);
  if (start < 0) return { ok: false, reason: 'no record marker' };
  if (line.indexOf(MARKER_PREFIX, start + MARKER_PREFIX.length) >= 0) {
    return { ok: false, reason: 'more than one record marker on one line' };
  }
  let i = start + MARKER_PREFIX.length;
  const producerEnd = line.indexOf(':', i);
  if (producerEnd < 0) return { ok: false, reason: 'marker cut off after its prefix' };
  const producer = parseDecimal(line, i, producerEnd);
  i = producerEnd + 1;
  const seqEnd = line.indexOf(':', i);
  if (seqEnd < 0) return { ok: false, reason: 'marker cut off after the producer id' };
  const seq = parseDecimal(line, i, seqEnd);
  i = seqEnd + 1;
  const hashEnd = line.indexOf(':', i);
  if (hashEnd !== i + 8) return { ok: false, reason: 'marker checksum missing or cut off' };
  const hash = Number.parseInt(line.slice(i, hashEnd), 16);
  const payloadEnd = line.indexOf(MARKER_END, hashEnd + 1);
  if (payloadEnd < 0) return { ok: false, reason: 'record cut off inside its payload' };
  if (producer < 0 || seq < 0 || Number.isNaN(hash)) {
    return { ok: false, reason: 'marker fields are not numbers' };
  }
  const payload = line.slice(hashEnd + 1, payloadEnd);
  if (recordHash(producer, seq, payload) !== hash) {
    return { ok: false, reason: 'payload does not match its checksum (corrupted or spliced)' };
  }
  if (format === 'ndjson' && !isJsonLine(line)) {
    return { ok: false, reason: 'line is not one whole JSON value' };
  }
  return { ok: true, producer, seq };
}

function parseDecimal(s: string, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function isJsonLine(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * Multi-byte characters for `utf8` payloads, each one whole code point that JSON and text
 * formatters pass through unescaped: 2-byte Latin, Greek and Cyrillic letters, combining marks
 * (U+0301, U+0308, U+0323: 2 bytes each, joined to whatever precedes them), 3-byte CJK and
 * kana, 4-byte emoji (a surrogate pair in UTF-16). Mixed with ASCII, records of varying length
 * put every kind of character at every byte offset, so some straddle any buffer boundary.
 */
const UTF8_ALPHABET: readonly string[] = [
  ...PAYLOAD_ALPHABET.slice(0, 24),
  ...'éßøłžΩλπЖщя',
  '\u0301',
  '\u0308',
  '\u0323',
  ...'日本語漢字記録木構造あいうカタ',
  '😀',
  '🚀',
  '👍',
  '🧵',
  '𝄞',
];

/**
 * A deterministic payload source: one random block per producer, sliced per record, so
 * generating a record costs a slice and not a loop of random draws.
 *
 * `utf8` payloads are measured in code points and built fresh for each record (a join, not a
 * slice of the shared block), so every record's content is its own string in memory and a
 * logger that keeps records shows its real memory growth.
 */
export class PayloadSource {
  readonly #block: string;
  readonly #points: readonly string[];
  readonly #minLength: number;
  readonly #maxLength: number;

  constructor(random: () => number, minLength: number, maxLength: number, text: PayloadText = 'ascii') {
    if (!(minLength >= 0 && maxLength >= minLength)) {
      throw new RangeError(`Expected 0 <= minLength <= maxLength, got ${minLength} and ${maxLength}`);
    }
    this.#minLength = minLength;
    this.#maxLength = maxLength;
    const size = Math.max(4096, maxLength * 2);
    const alphabet: readonly string[] = text === 'utf8' ? UTF8_ALPHABET : PAYLOAD_ALPHABET.split('');
    const points: string[] = [];
    for (let i = 0; i < size; i++) points.push(alphabet[Math.floor(random() * alphabet.length)] ?? 'x');
    this.#points = text === 'utf8' ? points : [];
    this.#block = text === 'utf8' ? '' : points.join('');
  }

  /** The payload of record `seq`: its length and offset are a function of `seq` alone. */
  payload(seq: number): string {
    const span = this.#maxLength - this.#minLength + 1;
    const length = this.#minLength + (Math.imul(seq, 0x9e3779b1) >>> 0) % span;
    if (this.#points.length > 0) {
      const offset = (Math.imul(seq, 0x85ebca6b) >>> 0) % (this.#points.length - length + 1);
      return this.#points.slice(offset, offset + length).join('');
    }
    const offset = (Math.imul(seq, 0x85ebca6b) >>> 0) % (this.#block.length - length + 1);
    return this.#block.slice(offset, offset + length);
  }
}
