/**
 * An advisory lock between processes, as a lock file created with O_EXCL (the technique of
 * lockfile(1) and proper-lockfile): the only lock Node offers across processes without a
 * native module. The file holds the owner's pid; a waiter that finds the owner dead removes
 * the stale file. Waits are bounded and sleep (Atomics.wait) between tries.
 *
 * The file handler takes it around each batch write to a pipe shared by several processes,
 * because a write larger than PIPE_BUF to a pipe is not atomic: without it, two processes'
 * records interleave mid-line (torn-lines).
 */

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

const nap = new Int32Array(new SharedArrayBuffer(4));

export class LockFile {
  readonly path: string;
  #held = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Takes the lock, waiting at most `timeoutMs`; false when the bound passed first. */
  acquire(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      try {
        const fd = openSync(this.path, 'wx');
        try {
          writeSync(fd, String(process.pid));
        } finally {
          closeSync(fd);
        }
        this.#held = true;
        return true;
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      this.#breakIfStale();
      if (performance.now() >= deadline) return false;
      // A short sleep, not a spin: the holder is writing one batch.
      Atomics.wait(nap, 0, 0, 1);
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // Broken as stale by a waiter that misjudged us: nothing left to release.
    }
  }

  /** Removes the lock file when the process that holds it is gone. */
  #breakIfStale(): void {
    let pid: number;
    try {
      pid = Number(readFileSync(this.path, 'utf8'));
    } catch {
      return;
    }
    // Still being written (empty), or our own: not stale.
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
    try {
      process.kill(pid, 0);
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        try {
          unlinkSync(this.path);
        } catch {
          // Someone else broke it first.
        }
      }
    }
  }
}
