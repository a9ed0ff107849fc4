/**
 * The relay thread: drains named pipes into the sink file at the pace the scenario asked for.
 * It opens each pipe read-write and non-blocking, so opening never waits for a writer, a writer
 * closing it never ends the relay, and an empty pipe never parks the thread beyond its poll.
 * It appends whole lines only, keeping each pipe's unfinished line until its end arrives.
 *
 * Asked to stop, it drains until the pipes are empty and no descriptor of this process other
 * than its own is open on them: a logger's documented close may resolve before its last writes
 * land (winston's 'finish' comes before its file stream has written), and closing the read end
 * then would fail those writes with EPIPE, a failure a real file never gives. A logger that never
 * closes its descriptor is cut off by the host's stop deadline.
 */

import { closeSync, constants, openSync, readdirSync, readlinkSync, readSync, realpathSync, writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import {
  R_AFTER_RESUME,
  R_BYTES,
  R_DONE,
  R_LINES,
  R_READS,
  R_READY,
  R_RESUMED_AT,
  R_STALLED_AT,
  R_STOP,
  type RelayData,
} from './relay.js';

const data = workerData as RelayData;
const words = new Int32Array(data.control);
const started = performance.now();
const since = (): number => Math.max(1, Math.round(performance.now() - started) + 1);

/** Sleeps up to `ms`, waking early when the host asks to stop. */
function nap(ms: number): void {
  if (ms > 0) Atomics.wait(words, R_STOP, 0, ms);
}

const inputs = data.fifos.map((fifo) => ({ fd: openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK), pending: Buffer.alloc(0) }));
const output = openSync(data.out, 'a');
const ownFds = new Set(inputs.map((input) => input.fd));
const fifoPaths = new Set(data.fifos.map((fifo) => realpathSync(fifo)));

/**
 * Whether a descriptor of this process other than the relay's own is open on one of the pipes
 * (a logger's writer, in any thread). False where /proc cannot be read: then an empty pipe is the end.
 */
function writersOpen(): boolean {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return false;
  }
  for (const name of fds) {
    if (ownFds.has(Number(name))) continue;
    try {
      if (fifoPaths.has(readlinkSync(`/proc/self/fd/${name}`))) return true;
    } catch {
      // Closed between readdir and readlink.
    }
  }
  return false;
}
Atomics.store(words, R_READY, 1);
Atomics.notify(words, R_READY);

const chunk = Buffer.allocUnsafe(Math.max(1, data.options.chunkBytes ?? 65536));
const stall = data.options.stall;
let stalled = false;
let resumed = false;

function append(bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(output, bytes, off, bytes.length - off);
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) lines++;
  Atomics.add(words, R_LINES, lines);
}

try {
  for (;;) {
    if (stall !== undefined && !stalled && Atomics.load(words, R_BYTES) >= stall.afterBytes) {
      stalled = true;
      Atomics.store(words, R_STALLED_AT, since());
      // The stall is what is under test; the host's stop request (the run ending) cuts it short.
      nap(stall.ms);
      Atomics.store(words, R_RESUMED_AT, since());
      resumed = true;
    }
    let moved = 0;
    for (const input of inputs) {
      let n = 0;
      try {
        n = readSync(input.fd, chunk, 0, chunk.length, null);
      } catch (error: unknown) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      if (n === 0) continue;
      moved += n;
      const got = input.pending.length > 0 ? Buffer.concat([input.pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const end = got.lastIndexOf(10) + 1;
      if (end > 0) append(got.subarray(0, end));
      input.pending = Buffer.from(got.subarray(end));
      Atomics.add(words, R_BYTES, n);
      Atomics.add(words, R_READS, 1);
      if (resumed) Atomics.add(words, R_AFTER_RESUME, n);
      nap(data.options.delayMs ?? 0);
    }
    if (moved === 0) {
      // Empty: done if the host asked (every logger has closed by then) and no writer is still
      // open (its last writes may be on their way), else poll again soon.
      if (Atomics.load(words, R_STOP) !== 0 && !writersOpen()) break;
      nap(2);
    }
  }
  // A line a logger left unfinished is appended as it is: the ledger shows it torn.
  for (const input of inputs) if (input.pending.length > 0) append(input.pending);
} finally {
  for (const input of inputs) closeSync(input.fd);
  closeSync(output);
  Atomics.store(words, R_DONE, 1);
  Atomics.notify(words, R_DONE);
}
