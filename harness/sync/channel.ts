/**
 * The event channel from a run's child process to the supervisor: NDJSON written with
 * `fs.writeSync` on file descriptor 3, from any thread of the child.
 *
 * Synchronous writes are the point: a worker thread (the watchdog) can still report while the
 * main thread is wedged, and an event written just before `process.exit` is not lost in a
 * stream buffer. Threads take a small spin-then-wait lock in shared memory so two events
 * never interleave; the lock wait is bounded because a thread can be terminated between
 * taking and releasing it.
 */

import { writeSync } from 'node:fs';
import { rawNotify, rawWait } from './atomics.js';
import type { ChildEvent } from '../contract/protocol.js';

export interface ChannelHandle {
  readonly fd: number;
  readonly lock: SharedArrayBuffer;
  /** Epoch milliseconds the run started, so every thread's timestamps share one origin. */
  readonly startedAt: number;
}

const LOCK_WAIT_MS = 1000;
const WRITE_DEADLINE_MS = 5000;

export class EventChannel {
  readonly handle: ChannelHandle;
  readonly #lock: Int32Array;
  #closed = false;

  static create(fd = 3): EventChannel {
    return new EventChannel({ fd, lock: new SharedArrayBuffer(4), startedAt: performance.timeOrigin + performance.now() });
  }

  constructor(handle: ChannelHandle) {
    this.handle = handle;
    this.#lock = new Int32Array(handle.lock);
  }

  /** Milliseconds since the run started, for event timestamps. */
  elapsedMs(): number {
    return Math.round(performance.timeOrigin + performance.now() - this.handle.startedAt);
  }

  send(event: ChildEvent): void {
    if (this.#closed) return;
    const bytes = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    const locked = this.#acquire();
    try {
      this.#writeAll(bytes);
    } catch (error: unknown) {
      // The supervisor is gone (EPIPE) or the channel is wedged: nobody is left to tell.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'EBADF') {
        this.#closed = true;
      }
    } finally {
      if (locked) {
        Atomics.store(this.#lock, 0, 0);
        rawNotify(this.#lock, 0, 1);
      }
    }
  }

  #acquire(): boolean {
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (Atomics.compareExchange(this.#lock, 0, 0, 1) !== 0) {
      if (Date.now() > deadline) return false; // holder died holding it: write unlocked
      rawWait(this.#lock, 0, 1, 5);
    }
    return true;
  }

  #writeAll(bytes: Buffer): void {
    const deadline = Date.now() + WRITE_DEADLINE_MS;
    let offset = 0;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.handle.fd, bytes, offset, bytes.length - offset);
      } catch (error: unknown) {
        // The pipe end may be non-blocking; a full pipe says EAGAIN until the supervisor reads.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw error;
        rawWait(pause, 0, 0, 1);
      }
    }
  }
}
