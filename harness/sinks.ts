/**
 * The sink the harness gives an adapter: a synchronous append-only writer to the run's sink
 * file, with the pathologies a scenario injects applied at each write. An adapter whose logger
 * takes a destination stream or write function hands it this, so the same pathology reaches
 * every logger the same way.
 */

import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { schedulePoint } from './schedule.js';
import { Mutex, type LockHandle } from './sync.js';

/** Pathologies a scenario asks the sink to show. Structured-cloneable, for any thread. */
export interface SinkOptions {
  /**
   * An instrumented lock the sink takes around each write, as a sink that needs an interpreter
   * lock or a file lock does (lock-inversion).
   */
  readonly lock?: LockHandle;
  /** Every k-th write throws a SinkError, so the logger's error paths run. */
  readonly failEvery?: number;
  /**
   * Whether a failing write throws before writing (the record is lost, as with ENOSPC) or after
   * (the record is written and the error still surfaces, as with an fsync EIO). @default 'before'
   */
  readonly failWhen?: 'before' | 'after';
}

export class SinkError extends Error {
  override name = 'SinkError';
}

export interface Sink {
  /** Appends `text` (one or more whole lines) synchronously, or throws. */
  write(text: string): void;
  flush(): void;
  close(): void;
  /** Writes attempted, failed ones included. */
  readonly writes: number;
}

export function createSink(file: string, options: SinkOptions = {}): Sink {
  const lock = options.lock !== undefined ? Mutex.from(options.lock) : undefined;
  const failEvery = options.failEvery ?? 0;
  const failAfter = options.failWhen === 'after';
  let fd: number | undefined;
  let writes = 0;
  const append = (text: string): void => {
    fd ??= openSync(file, 'a');
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  };
  return {
    get writes() {
      return writes;
    },
    write(text: string): void {
      schedulePoint('sink');
      const n = ++writes;
      const fail = failEvery > 0 && n % failEvery === 0;
      lock?.lock();
      try {
        if (fail && !failAfter) throw new SinkError(`injected sink failure on write ${n}, before writing`);
        append(text);
        if (fail) throw new SinkError(`injected sink failure on write ${n}, after writing`);
      } finally {
        lock?.unlock();
      }
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
