/**
 * The QueueListener: runs in its own worker thread, owns the real handlers, drains the shared
 * queue in batches and hands each handler its share of a batch.
 *
 * Lock discipline (seeds: the LogXide deadlock): the handler table is read under the
 * `reference.registry` lock and the lock is released before any handler runs: copy, release,
 * call. The queue lock is held only to claim and to release bytes, never while a handler runs
 * or while any I/O happens. Handler locks are taken with nothing else held.
 *
 * Requests reach the listener between batches: flush tickets and stop through shared words,
 * reconfiguration (a new handler table) through a MessagePort read synchronously. A swap is
 * applied between two batches, after the batch in hand was written to the old handlers and
 * before the next is claimed, so no record is written by both tables or by neither.
 */

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { registerThread, reportProgress } from '../../harness/sync/locks.js';
import type { LoggingConfig } from './config.js';
import { buildHandlers, type Handler } from './handlers.js';
import { installClient, type LoggingClient, type SharedSetup, type Variant as ClientVariant } from './logger.js';
import { ClaimedBatch, LISTENER_DEAD, LISTENER_LIVE, LISTENER_STOPPED, type SharedQueue } from './queue.js';
import type { LogRecord, RecordBatch } from './record.js';

/** The handlers and the routing from logger names to them; immutable once built. */
export interface HandlerTable {
  readonly handlers: ReadonlyMap<string, Handler>;
  readonly root: readonly Handler[];
  readonly loggers: ReadonlyMap<string, { readonly handlers: readonly Handler[]; readonly propagate: boolean }>;
  /** Logger name → the handlers its records reach, filled as names are seen. */
  readonly routes: Map<string, readonly Handler[]>;
}

/** Messages the configuring thread sends the listener. */
export type ListenerRequest = { readonly type: 'swap'; readonly config: LoggingConfig };

/** Messages the listener sends the configuring thread. */
export type ListenerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'swap-failed'; readonly message: string }
  | { readonly type: 'dropped'; readonly total: number };

export interface ListenerOptions {
  readonly setup: SharedSetup;
  readonly config: LoggingConfig;
  readonly port: MessagePort;
  readonly post: (message: ListenerMessage) => void;
}

/** Extension point: a variant module may export a subclass as `listener`. */
export interface ListenerVariant extends ClientVariant {
  readonly listener?: new (queue: SharedQueue, client: LoggingClient, options: ListenerOptions) => Listener;
}

export async function buildTable(config: LoggingConfig): Promise<HandlerTable> {
  const handlers = await buildHandlers(config);
  const pick = (names: readonly string[] | undefined): Handler[] => (names ?? []).map((n) => handlers.get(n) as Handler);
  const loggers = new Map(
    Object.entries(config.loggers ?? {}).map(([name, l]) => [name, { handlers: pick(l.handlers), propagate: l.propagate ?? true }] as const),
  );
  return { handlers, root: pick(config.root?.handlers), loggers, routes: new Map() };
}

/** Python's callHandlers: the logger's handlers, then its ancestors' while propagate holds. */
function route(table: HandlerTable, name: string): readonly Handler[] {
  let handlers = table.routes.get(name);
  if (handlers !== undefined) return handlers;
  const out: Handler[] = [];
  let at = name;
  let propagate = true;
  while (at !== '' && propagate) {
    const l = table.loggers.get(at);
    if (l !== undefined) {
      out.push(...l.handlers);
      propagate = l.propagate;
    }
    const dot = at.lastIndexOf('.');
    at = dot < 0 ? '' : at.slice(0, dot);
  }
  if (propagate) out.push(...table.root);
  handlers = [...new Set(out)];
  table.routes.set(name, handlers);
  return handlers;
}

/** Empty naps in a row after which the listener sleeps until a producer wakes it. */
const NAPS_BEFORE_SLEEP = 10;

export class Listener {
  readonly queue: SharedQueue;
  readonly client: LoggingClient;
  readonly respectHandlerLevel: boolean;
  readonly batchRecords: number;
  /** How long to sleep before rechecking the queue when no notify came: a safety net. */
  protected idleRecheckMs: number;
  /** How long to nap when the queue is found empty while records keep coming (0: never nap). */
  protected napMs: number;
  /** Records written (claimed and handed to handlers). */
  delivered = 0;
  /** Records logged from inside a handler that were not handled, to bound reentry. */
  reentrantDropped = 0;
  protected table: HandlerTable;
  readonly #port: MessagePort;
  readonly #post: (message: ListenerMessage) => void;
  #controlSeen = 0;
  #flushTicket = 0;
  #flushTarget = 0;
  /** Claims written in full so far. */
  #claims = 0;
  #nested = 0;
  /** 0, 1, 2, …: the share of every handler when every record goes to every handler. */
  readonly #allIndices: number[] = [];
  #droppedSeen = 0;
  #droppedAt = 0;

  constructor(queue: SharedQueue, client: LoggingClient, options: ListenerOptions) {
    this.queue = queue;
    this.client = client;
    this.respectHandlerLevel = options.config.listener?.respectHandlerLevel ?? false;
    this.batchRecords = options.config.listener?.batchRecords ?? 1024;
    this.idleRecheckMs = options.config.listener?.idleRecheckMs ?? 1000;
    this.napMs = options.config.listener?.napMs ?? 1;
    this.#port = options.port;
    this.#post = options.post;
    this.table = { handlers: new Map(), root: [], loggers: new Map(), routes: new Map() };
    // Records logged on this thread (from inside a handler) must not go back into the queue
    // this thread drains: they go straight to the handlers that are not emitting.
    client.sink = (level, time, name, message, fields, context, error) => this.dispatchNested({ level, time, name, message, fields, context, error });
  }

  /**
   * Builds the handlers and touches every page of the ring (SharedQueue.prefault), before the
   * listener says ready: configure() resolves with the ring mapped, so no producer ever takes a
   * page fault in a log call.
   */
  async start(config: LoggingConfig): Promise<void> {
    this.table = await buildTable(config);
    this.queue.prefault(0, this.queue.capacity);
  }

  /** The listener's loop: claim a batch, write it, give it back, serve requests; until stopped. */
  async run(): Promise<void> {
    registerThread('reference-listener');
    this.queue.setListenerState(LISTENER_LIVE);
    const batch = new ClaimedBatch(this.queue);
    // Empty claims in a row. The listener naps only while records keep coming, and sleeps until
    // woken once they stop: it starts asleep, so the first record wakes it.
    let empty = NAPS_BEFORE_SLEEP;
    try {
      for (;;) {
        const cursor = this.queue.claim(this.idleRecheckMs, () => this.#pending(), empty < NAPS_BEFORE_SLEEP ? this.napMs : 0);
        empty = cursor.count > 0 ? 0 : empty + 1;
        // Written and given back in chunks, so producers get room back while a big claim is written.
        for (let left = cursor.count; left > 0; ) {
          const n = batch.fill(cursor, Math.min(left, this.batchRecords));
          this.dispatch(batch);
          batch.clear();
          this.queue.release(cursor, n);
          left -= n;
          this.delivered += n;
          reportProgress(this.delivered);
        }
        this.#claims++;
        if (this.queue.controlRequested() !== this.#controlSeen) await this.#serveControl();
        this.#serveFlush();
        this.#reportDrops();
        if (this.queue.stopping && this.queue.drainedForStop()) break;
      }
      for (const h of this.table.handlers.values()) this.#closeHandler(h);
      this.#serveFlush(true);
      this.queue.setListenerState(LISTENER_STOPPED);
    } catch (error: unknown) {
      this.queue.setListenerState(LISTENER_DEAD);
      throw error;
    }
  }

  #pending(): boolean {
    return this.queue.flushRequested() > this.queue.flushServed() || this.queue.controlRequested() !== this.#controlSeen;
  }

  /** The handler table to use for one batch: copied under the registry lock, which is then released. */
  protected snapshot(): HandlerTable {
    return this.client.registry.with(() => this.table);
  }

  /** Hands a batch to the handlers, each its share in order. Holds no lock while they run. */
  protected dispatch(batch: RecordBatch): void {
    this.callHandlers(this.snapshot(), batch);
  }

  /**
   * Splits the batch into each handler's share (indices, in order) and hands each its share.
   * Nothing is decoded here unless the routing needs names (a table with per-logger handlers):
   * a handler that copies producer-formatted lines never decodes a record at all.
   */
  protected callHandlers(table: HandlerTable, batch: RecordBatch): void {
    const byName = table.loggers.size > 0;
    if (!byName && !this.respectHandlerLevel) {
      // Every record goes to every root handler: one index list for all, kept from batch to batch.
      const all = this.#allIndices;
      for (let i = all.length; i < batch.size; i++) all.push(i);
      all.length = batch.size;
      for (const h of route(table, '')) h.handleBatch(batch, all);
      return;
    }
    const shares = new Map<Handler, number[]>();
    let lastName: string | undefined;
    // Without per-logger handlers every name routes to the root's.
    let handlers: readonly Handler[] = route(table, '');
    for (let i = 0; i < batch.size; i++) {
      if (byName) {
        const name = batch.name(i);
        if (name !== lastName) {
          lastName = name;
          handlers = route(table, name);
        }
      }
      const level = this.respectHandlerLevel ? batch.level(i) : 0;
      for (const h of handlers) {
        if (this.respectHandlerLevel && level < h.level) continue;
        let share = shares.get(h);
        if (share === undefined) shares.set(h, (share = []));
        share.push(i);
      }
    }
    // Each handler isolates its own failures (handleBatch never throws).
    for (const [h, share] of shares) h.handleBatch(batch, share);
  }

  /**
   * A record logged on this thread, usually from inside a handler's emit: handled at once by
   * every handler of its route that is not emitting, one level deep. Deeper reentry is
   * counted and dropped, so a handler that logs from emit cannot recurse without bound.
   */
  dispatchNested(record: LogRecord): void {
    if (this.#nested > 0) {
      this.reentrantDropped++;
      return;
    }
    this.#nested++;
    try {
      const table = this.snapshot();
      for (const h of route(table, record.name)) {
        if (h.emitting || (this.respectHandlerLevel && record.level < h.level)) continue;
        h.handle([record]);
      }
    } finally {
      this.#nested--;
    }
  }

  #serveFlush(final = false): void {
    const requested = this.queue.flushRequested();
    if (requested > this.#flushTicket) {
      // Every record accepted before a ticket was taken is published before it: the next claim,
      // which starts after this read, takes them all (a sum of accepted counts would not do: the
      // shared ring and the lanes settle in no common order).
      this.#flushTicket = requested;
      this.#flushTarget = this.#claims + 1;
    }
    if (this.#flushTicket > this.queue.flushServed() && (final || this.#claims >= this.#flushTarget)) {
      for (const h of this.table.handlers.values()) {
        try {
          h.flush();
        } catch (error: unknown) {
          h.handleError(error, []);
        }
      }
      this.queue.serveFlush(this.#flushTicket);
    }
  }

  async #serveControl(): Promise<void> {
    const seen = this.queue.controlRequested();
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port)) {
      const request = m.message as ListenerRequest;
      try {
        await this.swap(request.config);
      } catch (error: unknown) {
        this.#post({ type: 'swap-failed', message: error instanceof Error ? error.message : String(error) });
      }
    }
    this.#controlSeen = seen;
    this.queue.ackControl(seen);
  }

  /**
   * Replaces the handler table. Runs between batches: everything claimed so far was written by
   * the old handlers, everything claimed from now on goes to the new ones. The old handlers
   * are flushed and closed after the swap, outside the registry lock.
   */
  protected async swap(config: LoggingConfig): Promise<void> {
    const next = await buildTable(config);
    const old = this.client.registry.with(() => {
      const previous = this.table;
      this.table = next;
      return previous;
    });
    for (const h of old.handlers.values()) this.#closeHandler(h);
  }

  #closeHandler(h: Handler): void {
    try {
      h.close();
    } catch (error: unknown) {
      h.handleError(error, []);
    }
  }

  /** Tells the configuring thread when the drop counter moved, at most every 100 ms. */
  #reportDrops(): void {
    const total = this.queue.dropped().total;
    if (total === this.#droppedSeen) return;
    const now = performance.now();
    if (now - this.#droppedAt < 100) return;
    this.#droppedSeen = total;
    this.#droppedAt = now;
    this.#post({ type: 'dropped', total });
  }
}

/** Used by listener-worker.ts: this thread's client is the listener's. */
export function installListenerClient(client: LoggingClient, variant: ListenerVariant | undefined): void {
  installClient(client, variant);
}
