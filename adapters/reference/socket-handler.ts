/**
 * SocketHandler: sends records as lines over TCP to a collector, without ever blocking the
 * listener on the network. Like Python's SocketHandler, but it reconnects with backoff, keeps a
 * bounded buffer, counts what it drops, and loses nothing across a reset.
 *
 * The listener thread's handlers are synchronous, so the socket lives on an I/O thread of its
 * own (socket-worker.ts). `emitBatch` only accounts and posts: bytes not yet acknowledged by
 * the collector are counted in shared memory; a batch that would take them past
 * `capacityBytes` is dropped and counted (`dropped` in the shared counters), never waited for.
 * The I/O thread resends after a reconnect from the line the collector says it has (the resume
 * handshake on `CollectorAddress`, harness/contract/adapter.ts), so a reset or a refused connection
 * loses and duplicates nothing; `flush()` and `close()` wait (bounded) for the acknowledgement
 * of everything sent, and whatever is still unacknowledged when `close()` gives up is counted
 * as dropped, so no loss is silent.
 *
 * Configuration: `{ type: 'custom', module: <this module's URL>, export: 'SocketHandler',
 * options: { host, port, capacityBytes?, closeMs?, counters? } }`; `counters` is a
 * SharedArrayBuffer of `SOCKET_COUNTER_BYTES` the configuring thread reads drops from.
 */

import { Worker } from 'node:worker_threads';
import { Handler } from './handlers.js';
import type { LogRecord } from './record.js';

/** Shared counter words. */
export const S_OUTSTANDING_BYTES = 0;
export const S_DROPPED = 1;
export const S_SENT_LINES = 2;
export const S_ACKED_LINES = 3;
export const S_CONNECTS = 4;
export const S_ERRORS = 5;
export const SOCKET_COUNTER_BYTES = 8 * 4;

export interface SocketHandlerOptions {
  readonly host: string;
  readonly port: number;
  /** Bytes sent but not yet acknowledged before new records are dropped. @default 8 MiB */
  readonly capacityBytes?: number;
  /** Bound on close() waiting for acknowledgements. @default 2000 */
  readonly closeMs?: number;
  /** Bound on flush(). @default 2000 */
  readonly flushMs?: number;
  /** Shared counters (SOCKET_COUNTER_BYTES), to read drops from another thread. */
  readonly counters?: SharedArrayBuffer;
}

/** I/O thread → handler: none; handler → I/O thread: */
export type SocketCommand = { readonly type: 'lines'; readonly text: string; readonly lines: number } | { readonly type: 'close' };

export class SocketHandler extends Handler {
  readonly #words: Int32Array;
  readonly #worker: Worker;
  readonly #capacity: number;
  readonly #closeMs: number;
  readonly #flushMs: number;
  #closed = false;

  constructor(name: string, options: SocketHandlerOptions) {
    super(name, 'reference.handler.socket');
    if (typeof options?.host !== 'string' || !Number.isInteger(options.port)) {
      throw new TypeError(`Expected the socket handler's options to be { host: string, port: integer }, got ${JSON.stringify(options)}`);
    }
    this.#words = new Int32Array(options.counters ?? new SharedArrayBuffer(SOCKET_COUNTER_BYTES));
    this.#capacity = options.capacityBytes ?? 8 * 1024 * 1024;
    this.#closeMs = options.closeMs ?? 2000;
    this.#flushMs = options.flushMs ?? 2000;
    this.#worker = new Worker(new URL('./socket-worker.js', import.meta.url), {
      workerData: { host: options.host, port: options.port, words: this.#words.buffer },
    });
    // The I/O thread never keeps the process alive; close() and the exit drain wait for it.
    this.#worker.unref();
  }

  /** Records dropped so far (buffer full, or unacknowledged at close). */
  get dropped(): number {
    return Atomics.load(this.#words, S_DROPPED);
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    if (this.#closed) {
      Atomics.add(this.#words, S_DROPPED, records.length);
      return;
    }
    let text = '';
    for (const r of records) text += `${this.format(r)}\n`;
    const bytes = Buffer.byteLength(text, 'utf8');
    // Never wait for the network: a batch that does not fit the buffer is dropped and counted.
    if (Atomics.load(this.#words, S_OUTSTANDING_BYTES) + bytes > this.#capacity) {
      Atomics.add(this.#words, S_DROPPED, records.length);
      return;
    }
    Atomics.add(this.#words, S_OUTSTANDING_BYTES, bytes);
    Atomics.add(this.#words, S_SENT_LINES, records.length);
    const command: SocketCommand = { type: 'lines', text, lines: records.length };
    this.#worker.postMessage(command);
  }

  protected emit(record: LogRecord): void {
    this.emitBatch([record]);
  }

  /** Waits until the collector acknowledged every line handed over, at most `ms`. */
  #waitAcked(ms: number): boolean {
    const deadline = performance.now() + ms;
    for (;;) {
      const acked = Atomics.load(this.#words, S_ACKED_LINES);
      if (acked >= Atomics.load(this.#words, S_SENT_LINES)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      // The I/O thread notifies this word at every acknowledgement.
      Atomics.wait(this.#words, S_ACKED_LINES, acked, Math.min(left, 50));
    }
  }

  override flush(): void {
    this.#waitAcked(this.#flushMs);
  }

  override close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#waitAcked(this.#closeMs)) {
      // Given up: what the collector never acknowledged is counted, not lost silently.
      Atomics.add(this.#words, S_DROPPED, Atomics.load(this.#words, S_SENT_LINES) - Atomics.load(this.#words, S_ACKED_LINES));
    }
    const command: SocketCommand = { type: 'close' };
    this.#worker.postMessage(command);
  }
}
