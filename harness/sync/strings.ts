/**
 * An append-only table of strings in shared memory: lock class names, thread names and
 * acquire sites, written once by whichever thread meets them first and readable by the
 * watchdog at any time. A string's id is its byte offset; 0 means "no string".
 */

const HEADER_BYTES = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class StringTable {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #ids = new Map<string, number>();
  readonly #cache = new Map<number, string>();

  static create(bytes = 1 << 20): StringTable {
    const table = new StringTable(new SharedArrayBuffer(bytes));
    Atomics.store(table.#words, 0, HEADER_BYTES);
    return table;
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer);
    this.#bytes = new Uint8Array(buffer);
  }

  /**
   * The id of `text`, adding it if this thread has not met it. Two threads may add the same
   * text twice; that costs bytes, never correctness. A full table answers 0 (shown as "?").
   */
  intern(text: string): number {
    const known = this.#ids.get(text);
    if (known !== undefined) return known;
    const encoded = encoder.encode(text.length > 4000 ? `${text.slice(0, 4000)}…` : text);
    const size = (4 + encoded.length + 3) & ~3;
    const at = Atomics.add(this.#words, 0, size);
    if (at + size > this.buffer.byteLength) return 0;
    this.#bytes.set(encoded, at + 4);
    // The length is stored last and atomically: a reader that sees it sees the bytes too.
    Atomics.store(this.#words, at >> 2, encoded.length);
    this.#ids.set(text, at);
    return at;
  }

  read(id: number): string {
    if (id <= 0) return '';
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    const length = Atomics.load(this.#words, id >> 2);
    // slice() copies into an ordinary buffer, which TextDecoder accepts.
    const text = decoder.decode(this.#bytes.slice(id + 4, id + 4 + length));
    this.#cache.set(id, text);
    return text;
  }
}
