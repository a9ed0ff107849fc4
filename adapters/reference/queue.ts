/**
 * The one bounded queue every thread of the process logs into: a byte ring in a
 * SharedArrayBuffer, guarded by the `reference.queue` mutex, drained by the listener thread.
 *
 * Producers (`append`) hold the queue lock only to reserve space and copy one record in: no
 * I/O, no waiting on anything but that short critical section, no handler code. The listener
 * claims a batch under the lock, releases it, decodes and writes the batch, then releases the
 * claimed bytes under the lock again. Claimed bytes are the listener's alone until released, so
 * decoding needs no lock and producers never touch them.
 *
 * Overflow policy (seeds: "bound every queue and define an explicit overflow policy"):
 * DEBUG and INFO may fill the ring to 3/4, WARN to 7/8, ERROR and FATAL to the whole of it.
 * An ERROR or FATAL that still does not fit evicts older lower-severity records that are not
 * yet claimed (DEBUG first, then INFO, then WARN, oldest first), so it is dropped only when
 * every queued record is ERROR or FATAL. Every record refused or evicted is counted, per level,
 * in shared memory, and announced to this thread's drop listeners.
 *
 * Ring layout: records start on 8-byte boundaries and never straddle the end of the ring; a
 * record that does not fit before the end leaves a pad word (-1) and starts at 0. A record is a
 * 40-byte header (words below) and a UTF-8 body in one of two forms:
 *
 * - a line: the record's finished ndjson line, newline included, exactly as `JsonFormatter`
 *   would write it, formatted and encoded by the producer. The header holds the byte lengths of
 *   name, message, fields and context, and where the name starts, so the parts can still be read
 *   back for a handler that formats its own way. A file handler with the ndjson formatter copies
 *   the line's bytes and does nothing else per record: the per-record work is the producers',
 *   done in parallel, and the listener only moves bytes (issue 15).
 * - parts (a record with an error, or a name or message JSON must escape): name, message,
 *   fields, context, error, concatenated; the header holds each part's UTF-16 length, which
 *   UTF-8 round-trips exactly. The listener decodes and formats these.
 */

import { Condition, Mutex, type LockHandle } from '../../harness/sync/locks.js';
import { needsEscape } from './format.js';
import { ERROR, levelIndex, levelName, type LevelName } from './levels.js';
import type { LogRecord, RecordBatch } from './record.js';

/** Control words, in an Int32Array over `QueueHandle.control`. */
const HEAD = 0; // first byte the listener has not released
const CLAIM = 1; // first byte not yet claimed by the listener
const TAIL = 2; // where the next record goes
const USED = 3; // bytes between HEAD and TAIL, pads included
const QUEUED = 4; // records not yet claimed
const ACCEPTED = 5; // records ever accepted
const SETTLED = 6; // records written by the listener or evicted
const SLEEPING = 7; // AWAKE, PARKED (wake it at once) or NAPPING (wake it when a quarter full)
const STATE = 8; // RUNNING, STOPPING
const FLUSH_REQ = 9; // flush tickets taken
const FLUSH_DONE = 10; // flush tickets served
const LISTENER = 11; // STARTING, LIVE, STOPPED, DEAD
const CONTROL = 12; // reconfigure requests posted
const CONTROL_ACK = 13; // reconfigure requests applied
const DROPPED = 16; // 5 words, per level
const DROPPED_TOTAL = 21;
const CONTROL_WORDS = 24;

/** SLEEPING: the listener runs; it waits until woken; it naps (a short timed wait) while records keep coming. */
const AWAKE = 0;
const PARKED = 1;
const NAPPING = 2;

export const RUNNING = 0;
export const STOPPING = 1;

export const LISTENER_STARTING = 0;
export const LISTENER_LIVE = 1;
export const LISTENER_STOPPED = 2;
export const LISTENER_DEAD = 3;

const PAD = -1;
const HEADER = 40;
/** Header words: size, level, body bytes, name, message, fields, context lengths, form; time at byte 32. */
const H_SIZE = 0;
const H_LEVEL = 1;
const H_BYTES = 2;
const H_NAME = 3;
const H_MESSAGE = 4;
const H_FIELDS = 5;
const H_CONTEXT = 6;
/** 0: parts; otherwise a line, and this is the byte offset of the name in it (| ROOT_NAME for the root logger). */
const H_FORM = 7;
const ROOT_NAME = 1 << 30;
/** `","msg":"` between the name and the message of a line. */
const MSG_KEY_BYTES = 9;
/** The body-bytes word of a record reserved and not yet written. */
const UNCOMMITTED = -1;
/** How long the listener waits for a reserved record's commit before it counts the record as dropped. */
const COMMIT_BOUND_MS = 5000;
const COMMIT_POLL_MS = 0.2;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE = 0x7d;
const NEWLINE = 0x0a;

/** Node's Buffer methods without the encoding dispatch of write()/toString(); present since Node 0.x, untyped. */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number; utf8Slice(start: number, end: number): string };

/** The smallest page size of the platforms Node runs on. */
const PAGE = 4096;

/** What crosses to other threads: the ring, its control words and its locks. */
export interface QueueHandle {
  readonly ring: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly lock: LockHandle;
  readonly notEmpty: LockHandle;
  readonly drained: LockHandle;
}

export interface QueueOptions {
  /** Ring size in bytes, rounded up to a multiple of 8. @default 2 MiB */
  readonly capacity?: number;
}

export type DropListener = (level: LevelName, count: number) => void;

/** Drop counts by level, as exposed to users and to the adapter. */
export interface DropCounts {
  readonly total: number;
  readonly debug: number;
  readonly info: number;
  readonly warn: number;
  readonly error: number;
  readonly fatal: number;
}

/** The listener's place in the records it claimed: where the next one is, bytes not yet released. */
export interface Cursor {
  at: number;
  /** Records claimed (from `claim`). */
  count: number;
  bytes: number;
}
type Claim = Cursor;

/**
 * One thread's view of the shared queue. Extension point: a variant module may export a
 * subclass as `queue`; every thread then builds its view with it.
 */
export class SharedQueue {
  readonly handle: QueueHandle;
  readonly capacity: number;
  protected readonly ctl: Int32Array;
  protected readonly ring: Buffer;
  protected readonly words: Int32Array;
  protected readonly times: Float64Array;
  protected readonly lock: Mutex;
  protected readonly notEmpty: Condition;
  protected readonly drained: Condition;
  readonly #dropListeners = new Set<DropListener>();

  static allocate(options: QueueOptions = {}): QueueHandle {
    const capacity = Math.ceil((options.capacity ?? 2 * 1024 * 1024) / 8) * 8;
    return {
      ring: new SharedArrayBuffer(capacity),
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      lock: Mutex.create('reference.queue').handle,
      notEmpty: Condition.create('reference.queue.not-empty').handle,
      drained: Condition.create('reference.queue.drained').handle,
    };
  }

  constructor(handle: QueueHandle) {
    this.handle = handle;
    this.capacity = handle.ring.byteLength;
    this.ctl = new Int32Array(handle.control);
    this.ring = Buffer.from(handle.ring);
    this.words = new Int32Array(handle.ring);
    this.times = new Float64Array(handle.ring);
    this.lock = Mutex.from(handle.lock);
    this.notEmpty = Condition.from(handle.notEmpty);
    this.drained = Condition.from(handle.drained);
  }

  // ---- producer side ----

  /**
   * Copies one record into the ring, or counts it as dropped. Never waits for the listener and
   * never does I/O: the only wait is for the queue lock, held by others for a copy at most.
   */
  append(level: number, time: number, name: string, message: string, fields: string, context: string, error: string): boolean {
    if (error === '' && !needsEscape(message) && this.#lineHead(time, level, name)) {
      return this.#appendLine(level, time, name, message, fields, context);
    }
    // Part by part: a concatenated body would be a new string, flattened again to be measured
    // and encoded, per call. Measuring and writing the parts where they are allocates nothing.
    const nameBytes = name === '' ? 0 : Buffer.byteLength(name, 'utf8');
    const messageBytes = message === '' ? 0 : Buffer.byteLength(message, 'utf8');
    const fieldsBytes = fields === '' ? 0 : Buffer.byteLength(fields, 'utf8');
    const contextBytes = context === '' ? 0 : Buffer.byteLength(context, 'utf8');
    const errorBytes = error === '' ? 0 : Buffer.byteLength(error, 'utf8');
    const bytes = nameBytes + messageBytes + fieldsBytes + contextBytes + errorBytes;
    const at = this.#reserveRecord((HEADER + bytes + 7) & ~7, level);
    if (at < 0) return this.#refused(level);
    const w = at >> 2;
    const words = this.words;
    words[w + H_LEVEL] = level;
    words[w + H_NAME] = name.length;
    words[w + H_MESSAGE] = message.length;
    words[w + H_FIELDS] = fields.length;
    words[w + H_CONTEXT] = context.length;
    words[w + H_FORM] = 0;
    this.times[(at + 32) >> 3] = time;
    const ring = this.ring as FastBuffer;
    let p = at + HEADER;
    if (nameBytes > 0) p += ring.utf8Write(name, p, nameBytes);
    if (messageBytes > 0) p += ring.utf8Write(message, p, messageBytes);
    if (fieldsBytes > 0) p += ring.utf8Write(fields, p, fieldsBytes);
    if (contextBytes > 0) p += ring.utf8Write(context, p, contextBytes);
    if (errorBytes > 0) ring.utf8Write(error, p, errorBytes);
    return this.#commit(w, bytes);
  }

  // The line head of the last record this thread formatted: `{"time":T,"level":"L","name":"N","msg":"`.
  // Records of one thread mostly share a millisecond, a level and a logger: one string per change.
  #headTime = -1;
  #headLevel = -1;
  #headName = '';
  #head = '';
  #headBytes = 0;
  #headNameBytes = 0;
  #headOk = false;

  /** Sets the line head for this record; false when the name needs escaping (the record goes as parts). */
  #lineHead(time: number, level: number, name: string): boolean {
    if (time === this.#headTime && level === this.#headLevel && name === this.#headName) return this.#headOk;
    this.#headTime = time;
    this.#headLevel = level;
    this.#headName = name;
    const shown = name === '' ? 'root' : name;
    this.#headOk = !needsEscape(shown);
    // The same text JsonFormatter writes for a record whose name needs no escaping.
    this.#head = `{"time":${time},"level":"${levelName(level)}","name":"${shown}","msg":"`;
    this.#headBytes = Buffer.byteLength(this.#head, 'utf8');
    this.#headNameBytes = Buffer.byteLength(shown, 'utf8');
    return this.#headOk;
  }

  /**
   * Formats the record's ndjson line straight into the ring (see the layout above). The head
   * and the message are encoded by two native calls; the rest are single bytes.
   */
  #appendLine(level: number, time: number, name: string, message: string, fields: string, context: string): boolean {
    const head = this.#head;
    const headBytes = this.#headBytes;
    const messageBytes = message === '' ? 0 : Buffer.byteLength(message, 'utf8');
    const fieldsBytes = fields === '' ? 0 : Buffer.byteLength(fields, 'utf8');
    const contextBytes = context === '' ? 0 : Buffer.byteLength(context, 'utf8');
    // head, message, `"`, `,fields`, `,context`, `}\n`
    const bytes = headBytes + messageBytes + 1 + (fieldsBytes > 0 ? fieldsBytes + 1 : 0) + (contextBytes > 0 ? contextBytes + 1 : 0) + 2;
    const at = this.#reserveRecord((HEADER + bytes + 7) & ~7, level);
    if (at < 0) return this.#refused(level);
    const w = at >> 2;
    const words = this.words;
    const nameBytes = this.#headNameBytes;
    words[w + H_LEVEL] = level;
    words[w + H_NAME] = nameBytes;
    words[w + H_MESSAGE] = messageBytes;
    words[w + H_FIELDS] = fieldsBytes;
    words[w + H_CONTEXT] = contextBytes;
    words[w + H_FORM] = headBytes - MSG_KEY_BYTES - nameBytes + (name === '' ? ROOT_NAME : 0);
    this.times[(at + 32) >> 3] = time;
    const ring = this.ring as FastBuffer;
    let p = at + HEADER;
    p += ring.utf8Write(head, p, headBytes);
    if (messageBytes > 0) p += ring.utf8Write(message, p, messageBytes);
    ring[p++] = QUOTE;
    if (fieldsBytes > 0) {
      ring[p++] = COMMA;
      p += ring.utf8Write(fields, p, fieldsBytes);
    }
    if (contextBytes > 0) {
      ring[p++] = COMMA;
      p += ring.utf8Write(context, p, contextBytes);
    }
    ring[p++] = CLOSE;
    ring[p] = NEWLINE;
    return this.#commit(w, bytes);
  }

  /** The wakeup the last reservation of this thread owes the listener, sent at its commit. */
  #owesWake = false;

  /**
   * Reserves `size` bytes for a record and counts it accepted, under the queue lock; answers
   * where, or -1 (stopping, too big, or no room for its level). Only the size word is written
   * under the lock, and the body-bytes word is set to UNCOMMITTED: the record is written after
   * the lock is released (#commit), so producers hold the lock for a reservation, not a copy,
   * and two of them rarely meet on it.
   */
  #reserveRecord(size: number, level: number): number {
    const ctl = this.ctl;
    let at = -1;
    this.lock.lock();
    try {
      if (ctl[STATE] === RUNNING && size <= this.capacity) {
        at = this.reserve(size, this.limitFor(level));
        if (at < 0 && level >= ERROR) at = this.evictFor(size);
      }
      if (at >= 0) {
        this.words[(at >> 2) + H_SIZE] = size;
        this.words[(at >> 2) + H_BYTES] = UNCOMMITTED;
        this.#owesWake = this.#accepted();
      }
    } finally {
      this.lock.unlock();
    }
    return at;
  }

  /**
   * Publishes a record written outside the lock: the body-bytes word, stored last and
   * atomically, tells the listener every byte before it is there (Atomics.store orders the
   * plain writes before it). Then wakes the listener if it sleeps: after the unlock, so it does
   * not wake into a held lock, and after the commit, so it does not wake into a record being
   * written. No wakeup is lost: the listener set SLEEPING under the lock before it read the
   * condition's sequence.
   */
  #commit(w: number, bytes: number): boolean {
    Atomics.store(this.words, w + H_BYTES, bytes);
    if (this.#owesWake) {
      this.#owesWake = false;
      this.signal();
    }
    return true;
  }

  /** Counts a record reserved; answers whether the listener sleeps and must be woken. Caller holds the lock. */
  #accepted(): boolean {
    const ctl = this.ctl;
    ctl[QUEUED] = (ctl[QUEUED] as number) + 1;
    ctl[ACCEPTED] = (ctl[ACCEPTED] as number) + 1;
    const sleeping = ctl[SLEEPING] as number;
    // A napping listener comes back by itself within its nap: it is woken early only when the
    // ring fills, so that producers do not start shedding while it naps. One notify per nap at
    // most, not one per call.
    if (sleeping === AWAKE || (sleeping === NAPPING && (ctl[USED] as number) < this.capacity >> 2)) return false;
    ctl[SLEEPING] = AWAKE;
    return true;
  }

  #refused(level: number): boolean {
    this.shed(level, 1);
    return false;
  }

  /**
   * Waits until the record at `at`, reserved by a producer, is committed, at most `boundMs`;
   * answers whether it was. No lock is held by the producer between its reservation and its
   * commit, so this waits on nothing but the producer's copy (longer only if the producer was
   * preempted or collected garbage mid-copy; forever only if its thread was terminated there).
   */
  protected awaitCommit(at: number, boundMs: number): boolean {
    const words = this.words;
    const i = (at >> 2) + H_BYTES;
    if (Atomics.load(words, i) !== UNCOMMITTED) return true;
    for (let spin = 0; spin < 64; spin++) if (Atomics.load(words, i) !== UNCOMMITTED) return true;
    const deadline = performance.now() + boundMs;
    // Producers do not notify a commit (that would cost every call a syscall): poll in short waits.
    while (Atomics.load(words, i) === UNCOMMITTED) {
      if (performance.now() >= deadline) return false;
      Atomics.wait(words, i, UNCOMMITTED, COMMIT_POLL_MS);
    }
    return true;
  }

  /** The share of the ring a record of this level may fill: lower levels are shed first. */
  protected limitFor(level: number): number {
    if (level >= ERROR) return this.capacity;
    return level >= 30 ? this.capacity - (this.capacity >> 3) : this.capacity - (this.capacity >> 2);
  }

  /** Counts records this queue refused or evicted, and tells this thread's drop listeners. */
  protected shed(level: number, count: number): void {
    Atomics.add(this.ctl, DROPPED + levelIndex(level), count);
    Atomics.add(this.ctl, DROPPED_TOTAL, count);
    if (this.#dropListeners.size > 0) {
      const name = levelName(level);
      for (const listener of this.#dropListeners) {
        try {
          listener(name, count);
        } catch {
          // A drop listener's failure must not turn a drop into an error at the call site.
        }
      }
    }
  }

  /** Space for `size` bytes at the tail within `limit` bytes used, or -1. Caller holds the lock. */
  protected reserve(size: number, limit: number): number {
    const ctl = this.ctl;
    const cap = this.capacity;
    const used = ctl[USED] as number;
    if (used + size > limit) return -1;
    if (used === 0) {
      // Empty: start again at 0, so the ring is contiguous as long as possible.
      ctl[HEAD] = 0;
      ctl[CLAIM] = 0;
      ctl[TAIL] = 0;
    }
    const head = ctl[HEAD] as number;
    const tail = ctl[TAIL] as number;
    let at: number;
    let cost = size;
    if (tail > head || used === 0) {
      if (cap - tail >= size) {
        at = tail;
      } else if (head >= size && used + (cap - tail) + size <= limit) {
        // Does not fit before the end: pad to the end, start at 0.
        this.words[tail >> 2] = PAD;
        cost += cap - tail;
        at = 0;
      } else {
        return -1;
      }
    } else if (head - tail >= size) {
      at = tail;
    } else {
      return -1;
    }
    const next = at + size;
    ctl[TAIL] = next === cap ? 0 : next;
    ctl[USED] = used + cost;
    return at;
  }

  /**
   * Makes room for an ERROR or FATAL record by evicting unclaimed lower-severity records,
   * DEBUG first, then INFO, then WARN, oldest first; the kept records keep their order. Answers
   * where the record goes, or -1 when only ERROR and FATAL records are queued. Caller holds the
   * lock. Costs a pass over the unclaimed records: it runs only when the ring is full.
   */
  protected evictFor(size: number): number {
    const ctl = this.ctl;
    const cap = this.capacity;
    const records = this.#unclaimed();
    // Records are moved whole: each must be written first. Their producers commit without the
    // queue lock, so waiting here (holding it) cannot deadlock; a record never committed (a
    // terminated thread) makes this ERROR a counted drop instead.
    for (const r of records) {
      if (!this.awaitCommit(r.at, COMMIT_BOUND_MS)) return -1;
      r.level = this.words[(r.at >> 2) + H_LEVEL] as number;
    }
    const total = records.reduce((sum, r) => sum + r.size, 0);
    const unclaimedBytes = this.#distance(ctl[CLAIM] as number, ctl[TAIL] as number, (ctl[QUEUED] as number) > 0);
    const claimedBytes = (ctl[USED] as number) - unclaimedBytes;
    const victims = new Set<number>();
    // A pad is smaller than the record that left it: twice the size is always enough room.
    let kept = total;
    for (const level of [10, 20, 30]) {
      for (let i = 0; i < records.length && claimedBytes + kept + 2 * size > cap; i++) {
        const r = records[i] as { at: number; size: number; level: number };
        if (r.level < ERROR && r.level <= level + 9 && r.level >= level && !victims.has(i)) {
          victims.add(i);
          kept -= r.size;
        }
      }
    }
    if (victims.size === 0) return -1;
    // Copy the survivors out, then lay them back down from CLAIM in order.
    const scratch = Buffer.allocUnsafe(kept);
    let offset = 0;
    const sizes: number[] = [];
    for (let i = 0; i < records.length; i++) {
      if (victims.has(i)) continue;
      const r = records[i] as { at: number; size: number };
      this.ring.copy(scratch, offset, r.at, r.at + r.size);
      offset += r.size;
      sizes.push(r.size);
    }
    ctl[TAIL] = ctl[CLAIM] as number;
    ctl[USED] = claimedBytes;
    offset = 0;
    for (const s of sizes) {
      const at = this.reserve(s, cap);
      if (at < 0) throw new Error('reference queue: a kept record no longer fits after eviction: this is a reference logger bug');
      scratch.copy(this.ring, at, offset, offset + s);
      offset += s;
    }
    const perLevel = new Map<number, number>();
    for (const i of victims) {
      const level = (records[i] as { level: number }).level;
      perLevel.set(level, (perLevel.get(level) ?? 0) + 1);
    }
    ctl[QUEUED] = (ctl[QUEUED] as number) - victims.size;
    ctl[SETTLED] = (ctl[SETTLED] as number) + victims.size;
    for (const [level, count] of perLevel) this.shed(level, count);
    return this.reserve(size, cap);
  }

  /** Bytes from `from` to `to` going forward; `full` tells an empty span from a whole ring. */
  #distance(from: number, to: number, nonEmpty: boolean): number {
    if (to > from) return to - from;
    if (to < from) return this.capacity - from + to;
    return nonEmpty ? this.capacity : 0;
  }

  #unclaimed(): { at: number; size: number; level: number }[] {
    const ctl = this.ctl;
    const out: { at: number; size: number; level: number }[] = [];
    let p = ctl[CLAIM] as number;
    for (let n = ctl[QUEUED] as number; n > 0; n--) {
      if (p === this.capacity || this.words[p >> 2] === PAD) p = 0;
      const size = this.words[p >> 2] as number;
      out.push({ at: p, size, level: 0 });
      p += size;
    }
    // Read once committed (evictFor waits for that): a producer writes the level after its reservation.
    return out;
  }

  onDrop(listener: DropListener): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
  }

  dropped(): DropCounts {
    const c = this.ctl;
    return {
      total: Atomics.load(c, DROPPED_TOTAL),
      debug: Atomics.load(c, DROPPED),
      info: Atomics.load(c, DROPPED + 1),
      warn: Atomics.load(c, DROPPED + 2),
      error: Atomics.load(c, DROPPED + 3),
      fatal: Atomics.load(c, DROPPED + 4),
    };
  }

  get accepted(): number {
    return Atomics.load(this.ctl, ACCEPTED);
  }

  get settled(): number {
    return Atomics.load(this.ctl, SETTLED);
  }

  get listenerState(): number {
    return Atomics.load(this.ctl, LISTENER);
  }

  get stopping(): boolean {
    return Atomics.load(this.ctl, STATE) !== RUNNING;
  }

  // ---- requests from any thread ----

  /**
   * Waits until every record accepted before the call is written and the handlers flushed.
   * Answers false when `timeoutMs` passed first or the listener is gone. Holds nothing but the
   * queue lock, and that is released while waiting.
   */
  flush(timeoutMs: number): boolean {
    const ctl = this.ctl;
    const deadline = performance.now() + timeoutMs;
    const ticket = Atomics.add(ctl, FLUSH_REQ, 1) + 1;
    this.lock.lock();
    try {
      this.wakeListener();
      while ((ctl[FLUSH_DONE] as number) < ticket) {
        const state = ctl[LISTENER] as number;
        if (state === LISTENER_STOPPED || state === LISTENER_DEAD) return (ctl[SETTLED] as number) >= (ctl[ACCEPTED] as number);
        const left = deadline - performance.now();
        if (left <= 0) return false;
        this.drained.wait(this.lock, left);
      }
      return true;
    } finally {
      this.lock.unlock();
    }
  }

  /**
   * Refuses new records (they are counted as dropped) and asks the listener to drain what is
   * queued, flush and close its handlers, and end. Waits for that at most `timeoutMs`.
   */
  stop(timeoutMs: number): boolean {
    const ctl = this.ctl;
    const deadline = performance.now() + timeoutMs;
    this.lock.lock();
    try {
      ctl[STATE] = STOPPING;
      this.wakeListener();
      for (;;) {
        const state = ctl[LISTENER] as number;
        if (state === LISTENER_STOPPED || state === LISTENER_DEAD) return state === LISTENER_STOPPED;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        this.drained.wait(this.lock, left);
      }
    } finally {
      this.lock.unlock();
    }
  }

  /** Posts a reconfigure request number; the listener acknowledges it in `controlAck`. */
  postControl(): number {
    const n = Atomics.add(this.ctl, CONTROL, 1) + 1;
    this.lock.with(() => this.wakeListener());
    return n;
  }

  /** The word the reconfigure caller waits on (Atomics.waitAsync), and its index. */
  get controlAck(): { readonly words: Int32Array; readonly index: number } {
    return { words: this.ctl, index: CONTROL_ACK };
  }

  /** Wakes the listener if it sleeps. Caller holds the queue lock. */
  protected wakeListener(): void {
    this.ctl[SLEEPING] = AWAKE;
    this.signal();
  }

  /** Wakes the listener from its wait on notEmpty: every wakeup goes through here. */
  protected signal(): void {
    this.notEmpty.notifyAll();
  }

  // ---- listener side ----

  /**
   * Touches the ring's pages from byte `from`, at most `bytes` of them, and answers where it
   * stopped (the capacity once done). The operating system gives a SharedArrayBuffer zero
   * pages that are mapped at their first write: left alone, the producers' first pass over the
   * ring takes a page fault every 4 KiB (about 20 records), microseconds each, and that was the
   * tail of the call latency (bench/reference.ts: 8 300 calls over 5 µs in 200 000, none in a
   * GC, none waiting on the lock). The listener takes them instead, before it says ready. An
   * atomic add of 0 writes the page without changing a byte a producer may be writing beside
   * it (a thread started before configure() resolved may log already). The ring is the queue's
   * bound: holding it resident is what the bound promised.
   */
  prefault(from: number, bytes: number): number {
    const end = Math.min(this.capacity, from + bytes);
    let at = from;
    for (; at < end; at += PAGE) Atomics.add(this.words, at >> 2, 0);
    return Math.min(at, this.capacity);
  }

  setListenerState(state: number): void {
    this.lock.with(() => {
      this.ctl[LISTENER] = state;
      this.drained.notifyAll();
    });
  }

  /**
   * Waits (bounded by `idleMs`, then answers an empty claim) until records are queued or a
   * request is pending, and claims every queued record. With `napMs` > 0 the wait is a nap: it
   * ends after `napMs` and producers wake it only when the ring is a quarter full, so a listener
   * that keeps up with its producers costs them no wakeup per record. O(1) under the lock: the
   * listener walks the claimed records afterwards, without the lock, with `next`.
   */
  claim(idleMs: number, pending: () => boolean, napMs = 0): Claim {
    const ctl = this.ctl;
    this.lock.lock();
    try {
      if ((ctl[QUEUED] as number) === 0 && ctl[STATE] === RUNNING && !pending()) {
        const nap = napMs > 0 && napMs < idleMs;
        ctl[SLEEPING] = nap ? NAPPING : PARKED;
        this.notEmpty.wait(this.lock, nap ? napMs : idleMs);
        ctl[SLEEPING] = AWAKE;
      }
      const count = ctl[QUEUED] as number;
      const start = ctl[CLAIM] as number;
      ctl[CLAIM] = ctl[TAIL] as number;
      ctl[QUEUED] = 0;
      return { at: start, count, bytes: 0 };
    } finally {
      this.lock.unlock();
    }
  }

  /**
   * The offset of the next claimed record at or after `at`, stepping over a pad; `bytes` of the
   * cursor grows by what is stepped over. No lock: claimed bytes are the listener's.
   */
  next(cursor: Cursor): number {
    const cap = this.capacity;
    let p = cursor.at;
    if (p === cap) p = 0;
    if (this.words[p >> 2] === PAD) {
      cursor.bytes += cap - p;
      p = 0;
    }
    const size = this.words[p >> 2] as number;
    cursor.at = p + size;
    cursor.bytes += size;
    return p;
  }

  /** Whether the next claimed record at the cursor is committed already (no wait). */
  nextCommitted(cursor: Cursor): boolean {
    let p = cursor.at;
    if (p === this.capacity || this.words[p >> 2] === PAD) p = 0;
    return Atomics.load(this.words, (p >> 2) + H_BYTES) !== UNCOMMITTED;
  }

  /** Reads a claimed record. No lock: claimed bytes belong to the listener until released. */
  decode(at: number): LogRecord {
    const w = at >> 2;
    const words = this.words;
    const ring = this.ring as FastBuffer;
    const level = words[w + H_LEVEL] as number;
    const time = this.times[(at + 32) >> 3] as number;
    const form = words[w + H_FORM] as number;
    const body = at + HEADER;
    if (form !== 0) {
      // A line: `{"time":T,"level":"L","name":"` NAME `","msg":"` MESSAGE `"` [`,` FIELDS] [`,` CONTEXT] `}\n`.
      const nameAt = body + (form & ~ROOT_NAME);
      const nameBytes = words[w + H_NAME] as number;
      const messageAt = nameAt + nameBytes + MSG_KEY_BYTES;
      const messageEnd = messageAt + (words[w + H_MESSAGE] as number);
      const fieldsBytes = words[w + H_FIELDS] as number;
      const contextBytes = words[w + H_CONTEXT] as number;
      let p = messageEnd + 1;
      const fields = fieldsBytes > 0 ? ring.utf8Slice(p + 1, p + 1 + fieldsBytes) : '';
      if (fieldsBytes > 0) p += 1 + fieldsBytes;
      return {
        time,
        level,
        name: (form & ROOT_NAME) !== 0 ? '' : ring.utf8Slice(nameAt, nameAt + nameBytes),
        message: ring.utf8Slice(messageAt, messageEnd),
        fields,
        context: contextBytes > 0 ? ring.utf8Slice(p + 1, p + 1 + contextBytes) : '',
        error: '',
      };
    }
    const bytes = words[w + H_BYTES] as number;
    const text = ring.utf8Slice(body, body + bytes);
    const a = words[w + H_NAME] as number;
    const b = a + (words[w + H_MESSAGE] as number);
    const c = b + (words[w + H_FIELDS] as number);
    const d = c + (words[w + H_CONTEXT] as number);
    return { time, level, name: text.slice(0, a), message: text.slice(a, b), fields: text.slice(b, c), context: text.slice(c, d), error: text.slice(d) };
  }

  /**
   * Whether the claimed record at `at` was committed by its producer, waiting for that
   * (awaitCommit). One never committed within the bound (its thread was terminated mid-copy)
   * is counted as dropped at its level.
   */
  committed(at: number): boolean {
    if (this.awaitCommit(at, COMMIT_BOUND_MS)) return true;
    this.shed(this.words[(at >> 2) + H_LEVEL] as number, 1);
    return false;
  }

  /** The logger name of a claimed record, without decoding the rest. */
  nameAt(at: number): string {
    const w = at >> 2;
    const form = this.words[w + H_FORM] as number;
    const nameBytes = this.words[w + H_NAME] as number;
    if (form === 0) {
      // Parts: the name's length is in UTF-16 units, at most 3 bytes each in UTF-8.
      const end = at + HEADER + Math.min(nameBytes * 3, this.words[w + H_BYTES] as number);
      return (this.ring as FastBuffer).utf8Slice(at + HEADER, end).slice(0, nameBytes);
    }
    if ((form & ROOT_NAME) !== 0) return '';
    const nameAt = at + HEADER + form;
    return (this.ring as FastBuffer).utf8Slice(nameAt, nameAt + nameBytes);
  }

  levelAt(at: number): number {
    return this.words[(at >> 2) + H_LEVEL] as number;
  }

  /** Bytes of a claimed record's line, or -1 when it holds parts. */
  lineBytesAt(at: number): number {
    const w = at >> 2;
    return (this.words[w + H_FORM] as number) === 0 ? -1 : (this.words[w + H_BYTES] as number);
  }

  /** Copies a claimed record's line into `target` at `offset`; answers the bytes copied. */
  copyLineAt(at: number, target: Uint8Array, offset: number): number {
    const bytes = this.words[(at >> 2) + H_BYTES] as number;
    return this.ring.copy(target, offset, at + HEADER, at + HEADER + bytes);
  }

  /** Gives the bytes of `count` written records back to producers, up to the cursor, and wakes flushers. */
  release(cursor: Cursor, count: number): void {
    const ctl = this.ctl;
    this.lock.lock();
    try {
      ctl[HEAD] = cursor.at === this.capacity ? 0 : cursor.at;
      ctl[USED] = (ctl[USED] as number) - cursor.bytes;
      ctl[SETTLED] = (ctl[SETTLED] as number) + count;
    } finally {
      this.lock.unlock();
    }
    cursor.bytes = 0;
  }

  /** Flush tickets taken so far, for the listener to serve once the queue is drained up to now. */
  flushRequested(): number {
    return Atomics.load(this.ctl, FLUSH_REQ);
  }

  flushServed(): number {
    return Atomics.load(this.ctl, FLUSH_DONE);
  }

  /** Marks flush tickets up to `ticket` served and wakes their waiters. */
  serveFlush(ticket: number): void {
    this.lock.with(() => {
      this.ctl[FLUSH_DONE] = ticket;
      this.drained.notifyAll();
    });
  }

  controlRequested(): number {
    return Atomics.load(this.ctl, CONTROL);
  }

  ackControl(n: number): void {
    Atomics.store(this.ctl, CONTROL_ACK, n);
    Atomics.notify(this.ctl, CONTROL_ACK);
  }

  /** Bytes of the ring in use: records queued or claimed and not yet written, headers and pads included. */
  get usedBytes(): number {
    return Atomics.load(this.ctl, USED);
  }

  /** Records neither claimed nor written, for stop: the listener ends only when this is 0. */
  get queued(): number {
    return Atomics.load(this.ctl, QUEUED);
  }
}

/**
 * The listener's view of one chunk of claimed records (RecordBatch), reused from chunk to chunk:
 * offsets into the ring, and the records decoded so far.
 */
export class ClaimedBatch implements RecordBatch {
  readonly #queue: SharedQueue;
  #at = new Int32Array(1024);
  #records: (LogRecord | undefined)[] = [];
  size = 0;

  constructor(queue: SharedQueue) {
    this.#queue = queue;
  }

  /**
   * Takes at most `count` claimed records from `cursor` and answers how many it took: it stops
   * before a record its producer is still writing, unless that is the first, which it waits for
   * (SharedQueue.committed): the listener writes what is ready instead of waiting on a copy in
   * progress. A record whose producer never committed it is left out (counted as dropped); its
   * bytes are released with the rest.
   */
  fill(cursor: Cursor, count: number): number {
    if (this.#at.length < count) this.#at = new Int32Array(count);
    const queue = this.#queue;
    let size = 0;
    let taken = 0;
    for (; taken < count; taken++) {
      if (taken > 0 && !queue.nextCommitted(cursor)) break;
      const at = queue.next(cursor);
      if (queue.committed(at)) this.#at[size++] = at;
    }
    this.size = size;
    this.#records = [];
    return taken;
  }

  /** Forgets the chunk: its bytes are about to go back to producers. */
  clear(): void {
    this.size = 0;
    this.#records = [];
  }

  level(i: number): number {
    return this.#queue.levelAt(this.#at[i] as number);
  }

  name(i: number): string {
    return this.#records[i]?.name ?? this.#queue.nameAt(this.#at[i] as number);
  }

  record(i: number): LogRecord {
    if (i < 0 || i >= this.size) throw new RangeError(`Expected a record index below ${this.size}, got ${i}: a batch is valid only during the handler call it was passed to`);
    let r = this.#records[i];
    if (r === undefined) this.#records[i] = r = this.#queue.decode(this.#at[i] as number);
    return r;
  }

  lineBytes(i: number): number {
    return this.#queue.lineBytesAt(this.#at[i] as number);
  }

  copyLine(i: number, target: Uint8Array, offset: number): number {
    return this.#queue.copyLineAt(this.#at[i] as number, target, offset);
  }
}
