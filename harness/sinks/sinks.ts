/**
 * The sink the harness gives an adapter: a synchronous append-only writer to the run's sink
 * file, with the pathologies a scenario injects applied at each write. An adapter whose logger
 * takes a destination stream or write function hands it this, so the same pathology reaches
 * every logger the same way.
 */

import { EventEmitter } from 'node:events';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { MARKER_PREFIX, REENTRY_MARK } from '../ledger/record.js';
import { schedulePoint } from '../sync/schedule.js';
import { Mutex } from '../sync/locks.js';
import type { SinkOptions } from '../contract/sink-spec.js';
export type { SinkOptions };

/** Functions a sink calls back; not cloneable, so apart from `SinkOptions`. */
export interface SinkHooks {
  /** Logs `message` through the logger under test, from inside the sink's write. */
  readonly reenter?: (message: string) => void;
  /** Receives a failing write's error when `failHow` is 'emit'. */
  readonly onError?: (error: Error) => void;
}

export class SinkError extends Error {
  override name = 'SinkError';
}


const S_WRITES = 0;
const S_FAILURES = 1;
const S_MAX_DEPTH = 2;
const S_DEPTH_CAPPED = 3;
const S_REENTRIES = 4;
const S_LIMIT_HIT = 5;
const S_STALLS = 6;
const S_STALLED_MS = 7;
const S_BYTES = 8;
const S_WORDS = 9;

/** Counters every thread's sink adds to, in shared memory. */
export class SinkStats {
  readonly buffer: SharedArrayBuffer;
  readonly #w: Int32Array;

  static create(): SinkStats {
    return new SinkStats(new SharedArrayBuffer(S_WORDS * 4));
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#w = new Int32Array(buffer);
  }

  add(word: number, n = 1): number {
    return Atomics.add(this.#w, word, n);
  }

  max(word: number, value: number): void {
    let seen = Atomics.load(this.#w, word);
    while (value > seen) {
      const was = Atomics.compareExchange(this.#w, word, seen, value);
      if (was === seen) return;
      seen = was;
    }
  }

  read(): {
    writes: number;
    failures: number;
    maxDepth: number;
    depthCapped: number;
    reentries: number;
    limitHit: number;
    stalls: number;
    stalledMs: number;
    bytes: number;
  } {
    const w = this.#w;
    return {
      writes: Atomics.load(w, S_WRITES),
      failures: Atomics.load(w, S_FAILURES),
      maxDepth: Atomics.load(w, S_MAX_DEPTH),
      depthCapped: Atomics.load(w, S_DEPTH_CAPPED),
      reentries: Atomics.load(w, S_REENTRIES),
      limitHit: Atomics.load(w, S_LIMIT_HIT),
      stalls: Atomics.load(w, S_STALLS),
      stalledMs: Atomics.load(w, S_STALLED_MS),
      bytes: Atomics.load(w, S_BYTES),
    };
  }
}

export interface Sink {
  /** Appends `text` (one or more whole lines) synchronously, or throws. */
  write(text: string): void;
  flush(): void;
  close(): void;
  /** Writes attempted, failed ones included. */
  readonly writes: number;
}

/** Sleeps the calling thread (any thread, the main one included): a blocked write. */
function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Reentry nesting on this thread: a sink that logs from its write sees the logger come back in.
let depth = 0;

/** Whether written text carries a record of the run, not only records the sink logged itself. */
export function carriesOuterRecord(text: string): boolean {
  return text.includes(MARKER_PREFIX);
}

/**
 * What a sink calls after each write to log from inside it (`options.reenter`): logs one
 * `REENTRY_MARK` record through `log`, counting the nesting, until a cap stops it. For loggers
 * whose destination is not a harness sink, call it from the destination's own write event.
 *
 * Pass `outer: false` for a write that carried only records the hook logged itself: it logs
 * nothing then, as a sink that reports the records it wrote has nothing to report about its own
 * reports. Re-logging for those would make the hook an endless loop of its own on any logger
 * that writes a reentrant record in a write of its own (issue 13). So one reentrant record per
 * outer write at most, and `recursion` means nesting that grows (a reentrant record written
 * inside the write that logged it, again and again) or a logger that never stops coming back
 * with writes of outer records (the total cap).
 *
 * `stop()`: the application stops reporting once it begins to close the logger. Logging after
 * `end()` is the caller's mistake ("write after end"), not the logger's, and the records written
 * during the close would otherwise make the hook do exactly that.
 */
export interface ReentryHook {
  (outer?: boolean): void;
  stop(): void;
}

export function reentryHook(options: SinkOptions, log: (message: string) => void): ReentryHook | undefined {
  const r = options.reenter;
  if (r === undefined) return undefined;
  const stats = options.stats !== undefined ? new SinkStats(options.stats) : undefined;
  let stopped = false;
  const hook = (outer = true): void => {
    if (!outer || stopped) return;
    if (depth >= r.depthCap) {
      stats?.add(S_DEPTH_CAPPED);
      return;
    }
    const n = stats?.add(S_REENTRIES) ?? 0;
    if (n >= r.limit) {
      stats?.add(S_LIMIT_HIT);
      return;
    }
    depth++;
    stats?.max(S_MAX_DEPTH, depth);
    try {
      log(`${REENTRY_MARK}${n} depth ${depth}`);
    } finally {
      depth--;
    }
  };
  return Object.assign(hook, {
    stop: () => {
      stopped = true;
    },
  });
}

export function createSink(file: string, options: SinkOptions = {}, hooks: SinkHooks = {}): Sink {
  const lock = options.lock !== undefined ? Mutex.from(options.lock) : undefined;
  const failEvery = options.failEvery ?? 0;
  const failAfter = options.failWhen === 'after';
  const stats = options.stats !== undefined ? new SinkStats(options.stats) : undefined;
  const emitErrors = options.failHow === 'emit';
  let fd: number | undefined;
  let writes = 0;
  const append = (text: string): void => {
    fd ??= openSync(file, 'a');
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    stats?.add(S_BYTES, bytes.length);
  };
  const fail = (error: SinkError): void => {
    stats?.add(S_FAILURES);
    if (!emitErrors) throw error;
    const onError = hooks.onError;
    process.nextTick(() => {
      if (onError === undefined) throw error;
      onError(error);
    });
  };
  const reenter = hooks.reenter !== undefined ? reentryHook(options, hooks.reenter) : undefined;
  return {
    get writes() {
      return writes;
    },
    write(text: string): void {
      schedulePoint('sink');
      const n = ++writes;
      stats?.add(S_WRITES);
      if (options.stall !== undefined && n === options.stall.afterWrites + 1) {
        const t0 = performance.now();
        sleepSync(options.stall.ms);
        stats?.add(S_STALLS);
        stats?.add(S_STALLED_MS, Math.round(performance.now() - t0));
      }
      sleepSync(options.delayMs ?? 0);
      const failing = failEvery > 0 && n % failEvery === 0;
      lock?.lock();
      try {
        if (failing && !failAfter) {
          fail(new SinkError(`injected sink failure on write ${n}, before writing`));
          return;
        }
        append(text);
        if (failing) fail(new SinkError(`injected sink failure on write ${n}, after writing`));
      } finally {
        lock?.unlock();
      }
      // From inside this write, as a sink that logs what it did: the logger comes back in here.
      reenter?.(carriesOuterRecord(text));
    },
    flush(): void {
      if (fd !== undefined) fsyncSync(fd);
    },
    close(): void {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * A sink as a minimal writable stream, for loggers that take a destination stream (pino's
 * `pino(options, stream)` and `multistream`). Failing writes with `failHow: 'emit'` become
 * 'error' events on it, as a real stream's do.
 */
export function sinkStream(file: string, options: SinkOptions = {}, reenter?: (message: string) => void): EventEmitter & { write(chunk: string | Buffer): boolean; end(): void } {
  const stream = new EventEmitter() as EventEmitter & { write(chunk: string | Buffer): boolean; end(): void };
  const sink = createSink(file, options, { ...(reenter !== undefined ? { reenter } : {}), onError: (error) => stream.emit('error', error) });
  stream.write = (chunk) => {
    sink.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    return true;
  };
  stream.end = () => {
    sink.close();
    process.nextTick(() => stream.emit('close'));
  };
  return stream;
}
