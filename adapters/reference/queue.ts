/**
 * The one bounded queue every thread of the process logs into: a byte ring in a
 * SharedArrayBuffer, guarded by the `reference.queue` mutex, drained by the listener thread.
 *
 * A queue of 512 KiB or more also has lanes, one per thread (see LANES): a thread logs into its
 * own without the queue lock; what follows holds for the shared ring.
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
import { ERROR, LEVEL_NAMES, levelIndex, levelName, levelValue, type LevelName } from './levels.js';
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
const CLAIMS = 14; // claims made (a lane's producer that spilled into the shared ring waits for the next one to go back)
const DROPPED = 16; // 5 words, per level
const DROPPED_TOTAL = 21;

/**
 * Lanes (issue 15): a queue of at least LANES * 2 * LANE_MIN bytes (512 KiB) gives half of its
 * ring (at most) to LANES lanes of a power-of-two size each, after the shared ring. Four, not
 * one per core of a big machine: each must be large enough that a producer seldom spills (the
 * bench's 64 MiB queue gives 8 MiB lanes; eight 4 MiB lanes spilled half of two producers'
 * records while the listener lagged on a loaded 2-core machine). A thread takes a lane
 * by CAS on its first record and keeps it: it then reserves, writes and publishes in its lane
 * without the queue lock or any word another producer writes (one producer, one consumer). A
 * thread that finds every lane taken logs into the shared ring under the lock, as before.
 */
const LANES = 4;
const LANE_MIN = 64 * 1024;
/** Control words before the first lane's, and per lane: 128 bytes, so producers of two lanes never share a cache line. */
const LANE_BASE = 32;
const LANE_WORDS = 32;
/** Lane words written by its producer: taken (0/1), busy (0, or 1 + the level index of the record it is writing: never 0 for a level that is, e.g. 0), where the next record goes, records accepted. */
const L_OWNER = 0;
const L_BUSY = 1;
const L_TAIL = 2;
const L_ACCEPTED = 3;
/** Lane words written by the listener (L_CLAIM, L_HEAD), and by an evicting producer (L_SETTLED), under the queue lock. */
const L_CLAIM = 16;
const L_HEAD = 17;
const L_SETTLED = 18;
const CONTROL_WORDS = LANE_BASE + LANES * LANE_WORDS;
/** #lane before the thread's first record, and for a thread logging into the shared ring. */
const LANE_UNTRIED = -2;
const NO_LANE = -1;
/** #laneReserve's answer when the record does not fit in the lane (it may spill into the shared ring). */
const NO_ROOM = -3;

/** Lanes of a ring of `capacity` bytes: how many, and how big (a power of two), or none for a small ring. */
function laneGeometry(capacity: number): { lanes: number; laneCap: number } {
  if (capacity < LANES * 2 * LANE_MIN) return { lanes: 0, laneCap: 0 };
  let laneCap = LANE_MIN;
  while (laneCap * 2 * LANES * 2 <= capacity) laneCap *= 2;
  return { lanes: LANES, laneCap };
}

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
  /** Bytes at the end of `ring` that are not ring: the listener's staging area (stageLines). */
  readonly stage: number;
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

/**
 * The listener's place in the records it claimed: where the next one is, bytes not yet released.
 * A claim has parts, written in this order: each lane's records, then the shared ring's.
 */
export interface Cursor {
  /** In the shared ring, a byte offset; in a lane, the lane's running byte count (mod 2^32). */
  at: number;
  /** Records claimed (from `claim`). */
  count: number;
  bytes: number;
  /** Triples (region: -1 the shared ring or a lane's index, start, records), in writing order. */
  readonly parts: number[];
  /** Index in `parts` of the part being walked, records left in it, records walked and not released. */
  part: number;
  left: number;
  walked: number;
  /** Parts walked to their end and not yet released: (region, end, bytes, records) quads. */
  readonly done: number[];
}
type Claim = Cursor;

/** A queued record, as an evicting ERROR sees it. */
interface Queued {
  readonly at: number;
  readonly size: number;
  level: number;
}

/**
 * Which queued records an ERROR evicts to make room (DEBUG first, then INFO, then WARN, oldest
 * first, until `fits(bytes kept)`), the survivors' bytes copied out in order to be laid back
 * down, and the evicted records per level; undefined when nothing may be evicted.
 */
function evictionPlan(ring: Buffer, records: readonly Queued[], fits: (kept: number) => boolean): { victims: Set<number>; survivors: Buffer; sizes: number[]; perLevel: Map<number, number> } | undefined {
  const victims = new Set<number>();
  let kept = records.reduce((sum, r) => sum + r.size, 0);
  for (const level of [10, 20, 30]) {
    for (let i = 0; i < records.length && !fits(kept); i++) {
      const r = records[i] as Queued;
      if (r.level < ERROR && r.level <= level + 9 && r.level >= level && !victims.has(i)) {
        victims.add(i);
        kept -= r.size;
      }
    }
  }
  if (victims.size === 0) return undefined;
  const survivors = Buffer.allocUnsafe(kept);
  const sizes: number[] = [];
  const perLevel = new Map<number, number>();
  let offset = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as Queued;
    if (victims.has(i)) {
      perLevel.set(r.level, (perLevel.get(r.level) ?? 0) + 1);
      continue;
    }
    ring.copy(survivors, offset, r.at, r.at + r.size);
    offset += r.size;
    sizes.push(r.size);
  }
  return { victims, survivors, sizes, perLevel };
}

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
  /** Bytes of the shared ring, at the start of `ring`; the lanes follow it. */
  protected readonly sharedCap: number;
  protected readonly lanes: number;
  protected readonly laneCap: number;
  /** This thread's lane (index), LANE_UNTRIED or NO_LANE. */
  #lane = LANE_UNTRIED;
  /** Its control words' first index and its bytes' first offset in the ring. */
  #laneCtl = 0;
  #laneBase = 0;
  /** The lane's tail as this thread (its only producer) knows it, and the tail after the record being written. */
  #laneTail = 0;
  #laneNext = 0;
  #laneAccepted = 0;
  /** Whether the record being written is in this thread's lane. */
  #inLane = false;
  /** The claims count when this lane's thread last wrote into the shared ring (it spilled, its lane being full): any other count means a claim took those records since (compared for equality, so the count may wrap). */
  #spillEpoch = 0;
  /** Whether this lane's thread has records in the shared ring that no claim has taken yet (as far as it knows). */
  #spilled = false;
  /** Drops of this thread's lane eviction, announced to drop listeners once its record is published (a listener may log). */
  #deferredDrops: Map<number, number> | undefined;
  /** Listener side: lanes whose producer was found stuck mid-record at stop (a terminated thread). */
  readonly #deadLanes = new Set<number>();

  static allocate(options: QueueOptions = {}): QueueHandle {
    const capacity = Math.ceil((options.capacity ?? 2 * 1024 * 1024) / 8) * 8;
    // A quarter of the ring, 64 KiB to 1 MiB: a batch of 1 024 lines of up to 1 KiB each.
    const stage = Math.min(1 << 20, Math.max(64 << 10, (capacity >> 2) & ~7)); // a multiple of 8: the ring's Float64Array view spans it
    return {
      ring: new SharedArrayBuffer(capacity + stage),
      stage,
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      lock: Mutex.create('reference.queue').handle,
      notEmpty: Condition.create('reference.queue.not-empty').handle,
      drained: Condition.create('reference.queue.drained').handle,
    };
  }

  constructor(handle: QueueHandle) {
    this.handle = handle;
    this.capacity = handle.ring.byteLength - handle.stage;
    const { lanes, laneCap } = laneGeometry(this.capacity);
    this.lanes = lanes;
    this.laneCap = laneCap;
    this.sharedCap = this.capacity - lanes * laneCap;
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
    if (this.#lane === LANE_UNTRIED) this.#takeLane();
    // Back to its lane once every record it spilled into the shared ring was claimed (see #spill).
    if (this.#lane >= 0 && (!this.#spilled || Atomics.load(this.ctl, CLAIMS) !== this.#spillEpoch)) {
      this.#spilled = false;
      const at = this.#laneReserve(size, level, false);
      if (at !== NO_ROOM) return at;
    }
    this.#inLane = false;
    const at = this.#sharedReserve(size, level);
    // An ERROR the shared ring refused evicts in its own lane, if none of its records are in the shared ring.
    if (at < 0 && level >= ERROR && this.#lane >= 0 && !this.#spilled) return this.#laneReserve(size, level, true);
    return at;
  }

  /**
   * The shared ring's reservation (see #reserveRecord). A thread with a lane comes here when its
   * lane has no room (it spills): it stays on the shared ring until a claim has taken its
   * records there, then goes back to its lane. Its records keep their order: a claim writes the
   * lanes' records before the shared ring's, so what it published in its lane before spilling
   * is written first; it goes back only once the claims count (stored after the claim read the
   * lanes' tails) passed the one it saw at its last shared reservation, so what it publishes in
   * its lane after is claimed after.
   */
  #sharedReserve(size: number, level: number): number {
    const ctl = this.ctl;
    let at = -1;
    this.lock.lock();
    try {
      if (ctl[STATE] === RUNNING && size <= this.sharedCap) {
        at = this.reserve(size, this.limitFor(level));
        if (at < 0 && level >= ERROR) at = this.evictFor(size);
      }
      if (at >= 0) {
        this.words[(at >> 2) + H_SIZE] = size;
        this.words[(at >> 2) + H_BYTES] = UNCOMMITTED;
        this.#owesWake = this.#accepted();
        if (this.#lane >= 0) {
          this.#spillEpoch = ctl[CLAIMS] as number;
          this.#spilled = true;
        }
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
    if (this.#inLane) return this.#laneCommit(w, bytes);
    Atomics.store(this.words, w + H_BYTES, bytes);
    if (this.#owesWake) {
      this.#owesWake = false;
      this.signal();
    }
    return true;
  }

  // ---- lanes: one producer each, no queue lock on the way in ----

  /**
   * Takes a free lane for this thread (CAS on its owner word) at its first record, for good,
   * or settles for the shared ring, for good: a lane is never given back, since no hook runs
   * reliably when a worker thread ends (a terminated one runs none), so a thread never changes
   * between its lane and the shared ring and its records keep their order. (A thread that spilled
   * goes back to its lane only after a claim took its shared records: a claim writes the lanes'
   * records first, see #sharedReserve.)
   */
  #takeLane(): void {
    this.#lane = NO_LANE;
    if (this.lanes === 0) return;
    for (let i = 0; i < this.lanes; i++) {
      const c = LANE_BASE + i * LANE_WORDS;
      if (Atomics.compareExchange(this.ctl, c + L_OWNER, 0, 1) !== 0) continue;
      this.#lane = i;
      this.#laneCtl = c;
      this.#laneBase = this.sharedCap + i * this.laneCap;
      this.#laneTail = Atomics.load(this.ctl, c + L_TAIL);
      this.#laneAccepted = Atomics.load(this.ctl, c + L_ACCEPTED);
      return;
    }
  }

  /**
   * Reserves `size` bytes in this thread's lane, or answers -1 (stopping, too big, or no room
   * for its level in the lane). The busy word is this side of a Dekker pair with the listener's
   * last check at stop (drainedForStop): set before the state is read, cleared after the record
   * is published, so a record that saw RUNNING is always published before the listener ends.
   */
  #laneReserve(size: number, level: number, evict: boolean): number {
    const ctl = this.ctl;
    const c = this.#laneCtl;
    this.#inLane = true;
    Atomics.store(ctl, c + L_BUSY, levelIndex(level) + 1);
    let at = -1;
    if (Atomics.load(ctl, STATE) === RUNNING) {
      at = this.#laneSpace(size, this.limitFor(level, this.laneCap));
      if (at < 0 && evict && this.#laneEvict(size)) at = this.#laneSpace(size, this.laneCap);
      if (at < 0 && !evict) at = NO_ROOM;
    }
    if (at < 0) {
      Atomics.store(ctl, c + L_BUSY, 0);
      this.#announceDeferred();
      return at;
    }
    this.words[(at >> 2) + H_SIZE] = size;
    return at;
  }

  /**
   * Room for `size` bytes at the lane's tail within `limit` bytes in use, or -1; leaves a pad
   * when the record does not fit before the lane's end. Positions are running byte counts mod
   * 2^32 (the lane's size divides 2^32), so head and tail alone tell used bytes.
   */
  #laneSpace(size: number, limit: number): number {
    const cap = this.laneCap;
    if (size > limit) return -1;
    const tail = this.#laneTail;
    const used = (tail - Atomics.load(this.ctl, this.#laneCtl + L_HEAD)) >>> 0;
    const o = tail & (cap - 1);
    let at = o;
    let cost = size;
    if (cap - o < size) {
      at = 0;
      cost += cap - o;
    }
    if (used + cost > limit) return -1;
    if (at !== o) this.words[(this.#laneBase + o) >> 2] = PAD;
    this.#laneNext = (tail + cost) | 0;
    return this.#laneBase + at;
  }

  /**
   * Publishes a record written in this thread's lane: counted, then the tail stored (the
   * listener reads nothing past the tail it loads), then not busy. Wakes the listener if it
   * sleeps, or naps with the lane a quarter full: the tail store and the load of SLEEPING are
   * this side of a Dekker pair with claim(), which stores SLEEPING before it loads the tails.
   */
  #laneCommit(w: number, bytes: number): boolean {
    const ctl = this.ctl;
    const c = this.#laneCtl;
    this.words[w + H_BYTES] = bytes;
    Atomics.store(ctl, c + L_ACCEPTED, ++this.#laneAccepted);
    this.#laneTail = this.#laneNext;
    Atomics.store(ctl, c + L_TAIL, this.#laneTail);
    Atomics.store(ctl, c + L_BUSY, 0);
    const sleeping = Atomics.load(ctl, SLEEPING);
    if (sleeping !== AWAKE && (sleeping === PARKED || ((this.#laneTail - Atomics.load(ctl, c + L_HEAD)) >>> 0) >= this.laneCap >> 2)) this.#wakeFromLane();
    this.#announceDeferred();
    return true;
  }

  #announceDeferred(): void {
    const drops = this.#deferredDrops;
    if (drops === undefined) return;
    this.#deferredDrops = undefined;
    for (const [level, count] of drops) this.shed(level, count);
  }

  /**
   * Wakes a sleeping listener, under the queue lock: the listener set SLEEPING and checked the
   * lanes holding it, and read its condition's sequence before releasing it in the wait, so
   * the notify after this cannot fall between its check and its wait. Once per sleep: the
   * first waker sets AWAKE.
   */
  #wakeFromLane(): void {
    let wake = false;
    this.lock.lock();
    try {
      if ((this.ctl[SLEEPING] as number) !== AWAKE) {
        Atomics.store(this.ctl, SLEEPING, AWAKE);
        wake = true;
      }
    } finally {
      this.lock.unlock();
    }
    if (wake) this.signal();
  }

  /**
   * Makes room in this thread's lane for an ERROR or FATAL of `size` bytes by evicting its
   * unclaimed lower-severity records (DEBUG first, then INFO, then WARN, oldest first; the kept
   * records keep their order). Under the queue lock, which the listener's claim takes too, so
   * the unclaimed records stay unclaimed meanwhile; they are all published (this thread wrote
   * them). Answers whether anything was evicted. A lane evicts only its own records: an ERROR
   * is dropped when its lane holds only ERROR and FATAL, whatever other lanes hold.
   */
  #laneEvict(size: number): boolean {
    const ctl = this.ctl;
    const c = this.#laneCtl;
    const cap = this.laneCap;
    const mask = cap - 1;
    const base = this.#laneBase;
    const words = this.words;
    let perLevel = new Map<number, number>();
    this.lock.lock();
    try {
      const claim = ctl[c + L_CLAIM] as number;
      const claimedBytes = (claim - Atomics.load(ctl, c + L_HEAD)) >>> 0;
      const records: { at: number; size: number; level: number }[] = [];
      for (let p = claim; p !== this.#laneTail; ) {
        const o = p & mask;
        if (words[(base + o) >> 2] === PAD) {
          p = (p + cap - o) | 0;
          continue;
        }
        const s = words[(base + o) >> 2] as number;
        records.push({ at: base + o, size: s, level: words[((base + o) >> 2) + H_LEVEL] as number });
        p = (p + s) | 0;
      }
      const plan = evictionPlan(this.ring, records, (kept) => claimedBytes + kept + 2 * size <= cap);
      if (plan === undefined) return false;
      const { victims, survivors: scratch, sizes } = plan;
      // Lay the survivors back down from the claim point; the listener reads the new tail at its next claim.
      this.#laneTail = claim;
      let offset = 0;
      for (const s of sizes) {
        const at = this.#laneSpace(s, cap);
        if (at < 0) throw new Error('reference queue: a kept record no longer fits in its lane after eviction: this is a reference logger bug');
        scratch.copy(this.ring, at, offset, offset + s);
        offset += s;
        this.#laneTail = this.#laneNext;
      }
      Atomics.store(ctl, c + L_TAIL, this.#laneTail);
      Atomics.add(ctl, c + L_SETTLED, victims.size);
      perLevel = plan.perLevel;
    } finally {
      this.lock.unlock();
    }
    // Announced once this thread's record is published or refused (#announceDeferred): a drop
    // listener may log, and its record must not run inside this one's reservation.
    this.#deferredDrops = perLevel;
    return perLevel.size > 0;
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
    if (sleeping === AWAKE || (sleeping === NAPPING && (ctl[USED] as number) < this.sharedCap >> 2)) return false;
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
  protected limitFor(level: number, cap = this.sharedCap): number {
    if (level >= ERROR) return cap;
    return level >= 30 ? cap - (cap >> 3) : cap - (cap >> 2);
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
    const cap = this.sharedCap;
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
    const cap = this.sharedCap;
    const records = this.#unclaimed();
    // Records are moved whole: each must be written first. Their producers commit without the
    // queue lock, so waiting here (holding it) cannot deadlock; a record never committed (a
    // terminated thread) makes this ERROR a counted drop instead.
    for (const r of records) {
      if (!this.awaitCommit(r.at, COMMIT_BOUND_MS)) return -1;
      r.level = this.words[(r.at >> 2) + H_LEVEL] as number;
    }
    const unclaimedBytes = this.#distance(ctl[CLAIM] as number, ctl[TAIL] as number, (ctl[QUEUED] as number) > 0);
    const claimedBytes = (ctl[USED] as number) - unclaimedBytes;
    // A pad is smaller than the record that left it: twice the size is always enough room.
    const plan = evictionPlan(this.ring, records, (kept) => claimedBytes + kept + 2 * size <= cap);
    if (plan === undefined) return -1;
    const { victims, survivors: scratch, sizes, perLevel } = plan;
    ctl[TAIL] = ctl[CLAIM] as number;
    ctl[USED] = claimedBytes;
    let offset = 0;
    for (const s of sizes) {
      const at = this.reserve(s, cap);
      if (at < 0) throw new Error('reference queue: a kept record no longer fits after eviction: this is a reference logger bug');
      scratch.copy(this.ring, at, offset, offset + s);
      offset += s;
    }
    ctl[QUEUED] = (ctl[QUEUED] as number) - victims.size;
    ctl[SETTLED] = (ctl[SETTLED] as number) + victims.size;
    for (const [level, count] of perLevel) this.shed(level, count);
    return this.reserve(size, cap);
  }

  /** Bytes from `from` to `to` going forward; `full` tells an empty span from a whole ring. */
  #distance(from: number, to: number, nonEmpty: boolean): number {
    if (to > from) return to - from;
    if (to < from) return this.sharedCap - from + to;
    return nonEmpty ? this.sharedCap : 0;
  }

  #unclaimed(): { at: number; size: number; level: number }[] {
    const ctl = this.ctl;
    const out: { at: number; size: number; level: number }[] = [];
    let p = ctl[CLAIM] as number;
    for (let n = ctl[QUEUED] as number; n > 0; n--) {
      if (p === this.sharedCap || this.words[p >> 2] === PAD) p = 0;
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

  /** Records ever accepted: the shared ring's and every lane's. */
  get accepted(): number {
    let n = Atomics.load(this.ctl, ACCEPTED);
    for (let i = 0; i < this.lanes; i++) n += Atomics.load(this.ctl, LANE_BASE + i * LANE_WORDS + L_ACCEPTED);
    return n;
  }

  /** Records written or evicted: the shared ring's and every lane's. */
  get settled(): number {
    let n = Atomics.load(this.ctl, SETTLED);
    for (let i = 0; i < this.lanes; i++) n += Atomics.load(this.ctl, LANE_BASE + i * LANE_WORDS + L_SETTLED);
    return n;
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
        if (state === LISTENER_STOPPED || state === LISTENER_DEAD) return this.settled >= this.accepted;
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
      // Atomically: the other side of the lanes' Dekker pair (#laneReserve, drainedForStop).
      Atomics.store(ctl, STATE, STOPPING);
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
    Atomics.store(this.ctl, SLEEPING, AWAKE);
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
    const parts: number[] = [];
    this.lock.lock();
    try {
      if ((ctl[QUEUED] as number) === 0 && ctl[STATE] === RUNNING && !pending()) {
        const nap = napMs > 0 && napMs < idleMs;
        // Stored before the lanes' tails are loaded, as a lane's producer stores its tail before it
        // loads SLEEPING (#laneCommit): one of the two sees the other.
        Atomics.store(ctl, SLEEPING, nap ? NAPPING : PARKED);
        if (this.#lanesEmpty()) this.notEmpty.wait(this.lock, nap ? napMs : idleMs);
        Atomics.store(ctl, SLEEPING, AWAKE);
      }
      // The lanes' published records first, then the shared ring's, in one hold of the lock, and
      // written in that order (see #sharedReserve); the lanes' are counted below, without the
      // lock: from here they are the listener's, and an evicting producer leaves them alone.
      for (let i = 0; i < this.lanes; i++) {
        const c = LANE_BASE + i * LANE_WORDS;
        const from = ctl[c + L_CLAIM] as number;
        const to = Atomics.load(ctl, c + L_TAIL);
        if (from === to) continue;
        Atomics.store(ctl, c + L_CLAIM, to);
        parts.push(i, from, to);
      }
      Atomics.store(ctl, CLAIMS, (ctl[CLAIMS] as number) + 1);
      const count = ctl[QUEUED] as number;
      if (count > 0) parts.push(-1, ctl[CLAIM] as number, count);
      ctl[CLAIM] = ctl[TAIL] as number;
      ctl[QUEUED] = 0;
    } finally {
      this.lock.unlock();
    }
    let total = 0;
    for (let k = 0; k < parts.length; k += 3) {
      if ((parts[k] as number) >= 0) parts[k + 2] = this.#laneRecords(parts[k] as number, parts[k + 1] as number, parts[k + 2] as number);
      total += parts[k + 2] as number;
    }
    const first = parts.length > 0;
    return { at: first ? (parts[1] as number) : 0, count: total, bytes: 0, parts, part: 0, left: first ? (parts[2] as number) : 0, walked: 0, done: [] };
  }

  /** Whether every lane's records are claimed. */
  #lanesEmpty(): boolean {
    const ctl = this.ctl;
    for (let i = 0; i < this.lanes; i++) {
      const c = LANE_BASE + i * LANE_WORDS;
      if (Atomics.load(ctl, c + L_TAIL) !== (ctl[c + L_CLAIM] as number)) return false;
    }
    return true;
  }

  /** Counts the records of lane `lane` from running position `from` to `to`. */
  #laneRecords(lane: number, from: number, to: number): number {
    const cap = this.laneCap;
    const mask = cap - 1;
    const base = this.sharedCap + lane * cap;
    let n = 0;
    for (let p = from; p !== to; ) {
      const o = p & mask;
      const size = this.words[(base + o) >> 2] as number;
      if (size === PAD) {
        p = (p + cap - o) | 0;
        continue;
      }
      p = (p + size) | 0;
      n++;
    }
    return n;
  }

  /**
   * The offset of the next claimed record at or after `at`, stepping over a pad; `bytes` of the
   * cursor grows by what is stepped over. No lock: claimed bytes are the listener's.
   */
  next(cursor: Cursor): number {
    if (cursor.left === 0) {
      // The part is walked: keep what to release of it, and go on to the next.
      if (cursor.walked > 0) cursor.done.push(cursor.parts[cursor.part] as number, cursor.at, cursor.bytes, cursor.walked);
      cursor.part += 3;
      cursor.at = cursor.parts[cursor.part + 1] as number;
      cursor.left = cursor.parts[cursor.part + 2] as number;
      cursor.bytes = 0;
      cursor.walked = 0;
    }
    cursor.left--;
    cursor.walked++;
    const lane = cursor.parts[cursor.part] as number;
    if (lane >= 0) {
      const cap = this.laneCap;
      const base = this.sharedCap + lane * cap;
      let o = cursor.at & (cap - 1);
      if (this.words[(base + o) >> 2] === PAD) {
        cursor.bytes += cap - o;
        cursor.at = (cursor.at + cap - o) | 0;
        o = 0;
      }
      const size = this.words[(base + o) >> 2] as number;
      cursor.at = (cursor.at + size) | 0;
      cursor.bytes += size;
      return base + o;
    }
    const cap = this.sharedCap;
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
    // A lane's records are published whole; only the shared ring, the last part, has reserved ones.
    let p = cursor.at;
    if (cursor.left === 0) {
      if ((cursor.parts[cursor.part + 3] ?? 0) >= 0) return true;
      p = cursor.parts[cursor.part + 4] as number;
    } else if ((cursor.parts[cursor.part] as number) >= 0) {
      return true;
    }
    if (p === this.sharedCap || this.words[p >> 2] === PAD) p = 0;
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

  /**
   * Copies the lines of the claimed records at `ats[i]` for each index of `share`, in order,
   * into the staging area behind the ring (the same buffer) and answers a view of them; or
   * undefined when one of them holds parts (not a line) or they do not fit. `copyWithin` moves
   * bytes inside one buffer and allocates nothing, where Node 20's Buffer#copy allocates a view
   * of the source per call: per record, that copy and its garbage were half the listener's
   * time. The view is valid until the next call (listener thread only).
   */
  stageLines(ats: Int32Array, share: readonly number[]): Buffer | undefined {
    const words = this.words;
    const room = this.ring.length - this.capacity;
    let total = 0;
    for (const i of share) {
      const w = (ats[i] as number) >> 2;
      if ((words[w + H_FORM] as number) === 0) return undefined;
      total += words[w + H_BYTES] as number;
    }
    if (total > room) return undefined;
    const ring = this.ring;
    let p = this.capacity;
    for (const i of share) {
      const at = ats[i] as number;
      const bytes = words[(at >> 2) + H_BYTES] as number;
      ring.copyWithin(p, at + HEADER, at + HEADER + bytes);
      p += bytes;
    }
    return ring.subarray(this.capacity, p);
  }

  /** Copies a claimed record's line into `target` at `offset`; answers the bytes copied. */
  copyLineAt(at: number, target: Uint8Array, offset: number): number {
    const bytes = this.words[(at >> 2) + H_BYTES] as number;
    return this.ring.copy(target, offset, at + HEADER, at + HEADER + bytes);
  }

  /**
   * Gives the bytes of the records walked so far (`count` of them, written or counted as
   * dropped) back to producers, up to the cursor. A lane's bytes go back without the lock: its
   * head is the listener's word, its producer only reads it.
   */
  release(cursor: Cursor, count: number): void {
    const done = cursor.done;
    let released = 0;
    for (let k = 0; k < done.length; k += 4) {
      this.#releasePart(done[k] as number, done[k + 1] as number, done[k + 2] as number, done[k + 3] as number);
      released += done[k + 3] as number;
    }
    done.length = 0;
    if (cursor.walked > 0) {
      this.#releasePart(cursor.parts[cursor.part] as number, cursor.at, cursor.bytes, cursor.walked);
      released += cursor.walked;
    }
    cursor.bytes = 0;
    cursor.walked = 0;
    if (released !== count) throw new Error(`reference queue: released ${released} records, expected ${count}: this is a reference logger bug`);
  }

  #releasePart(region: number, end: number, bytes: number, records: number): void {
    const ctl = this.ctl;
    if (region >= 0) {
      const c = LANE_BASE + region * LANE_WORDS;
      Atomics.store(ctl, c + L_HEAD, end);
      Atomics.add(ctl, c + L_SETTLED, records);
      return;
    }
    this.lock.lock();
    try {
      ctl[HEAD] = end === this.sharedCap ? 0 : end;
      ctl[USED] = (ctl[USED] as number) - bytes;
      ctl[SETTLED] = (ctl[SETTLED] as number) + records;
    } finally {
      this.lock.unlock();
    }
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
    let n = Atomics.load(this.ctl, USED);
    for (let i = 0; i < this.lanes; i++) {
      const c = LANE_BASE + i * LANE_WORDS;
      n += (Atomics.load(this.ctl, c + L_TAIL) - Atomics.load(this.ctl, c + L_HEAD)) >>> 0;
    }
    return n;
  }

  /**
   * Records not yet claimed in the shared ring, plus one per lane with unclaimed records (a
   * lane's are counted only when claimed): 0 exactly when nothing is left to claim.
   */
  get queued(): number {
    let n = Atomics.load(this.ctl, QUEUED);
    for (let i = 0; i < this.lanes; i++) {
      const c = LANE_BASE + i * LANE_WORDS;
      if (Atomics.load(this.ctl, c + L_TAIL) !== Atomics.load(this.ctl, c + L_CLAIM)) n++;
    }
    return n;
  }

  /**
   * For the listener once stopping: whether it may end, nothing being left to claim. First waits
   * for every lane's producer that is between its busy mark and its publish (the other side of
   * #laneReserve's Dekker pair: STATE was stored before this loads the busy words, so a producer
   * that read RUNNING is seen busy here until it published). A producer busy for longer than the
   * commit bound was terminated mid-record: its record is counted as dropped, its lane no longer
   * waited for.
   */
  drainedForStop(): boolean {
    const ctl = this.ctl;
    for (let i = 0; i < this.lanes; i++) {
      if (this.#deadLanes.has(i)) continue;
      const b = LANE_BASE + i * LANE_WORDS + L_BUSY;
      const deadline = performance.now() + COMMIT_BOUND_MS;
      for (let busy = Atomics.load(ctl, b); busy !== 0; busy = Atomics.load(ctl, b)) {
        if (performance.now() >= deadline) {
          this.#deadLanes.add(i);
          this.shed(levelValue(LEVEL_NAMES[busy - 1] as LevelName), 1);
          break;
        }
        Atomics.wait(ctl, b, busy, COMMIT_POLL_MS);
      }
    }
    return this.queued === 0;
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

  stageLines(share: readonly number[]): Buffer | undefined {
    return this.#queue.stageLines(this.#at, share);
  }
}
