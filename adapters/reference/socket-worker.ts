/**
 * The SocketHandler's I/O thread: one TCP connection to the collector, reconnected with
 * exponential backoff (10 ms doubling to 500 ms), and every line kept until the collector
 * acknowledges it. After each (re)connect it sends `#logjam-hello <stream>`; the collector
 * answers `have <n>` (lines of this stream it has written) and the thread resends from line
 * `n`: a reset or a refusal loses and duplicates nothing. Acknowledgements (`ack <n>`) free
 * buffer bytes in the shared counters and wake a flusher.
 */

import { connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { S_ACKED_LINES, S_CONNECTS, S_ERRORS, S_OUTSTANDING_BYTES, type SocketCommand } from './socket-handler.js';

const port = parentPort;
if (port === null) throw new Error('socket-worker.js must run as a worker thread: this is a reference logger bug');
const { host, port: tcpPort, words: buffer } = workerData as { host: string; port: number; words: SharedArrayBuffer };
const words = new Int32Array(buffer);
const stream = `${process.pid}-${threadId}-${randomUUID()}`;

/** Lines not yet acknowledged; `base` is the stream index of lines[0]. */
let lines: Buffer[] = [];
let base = 0;
let socket: Socket | undefined;
/** Handshake done on the current connection: lines may be written. */
let ready = false;
let backoffMs = 10;
let retry: NodeJS.Timeout | undefined;
let closing = false;

function acknowledge(n: number): void {
  if (n <= base) return;
  const count = Math.min(n - base, lines.length);
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += (lines[i] as Buffer).length;
  lines = lines.slice(count);
  base += count;
  Atomics.sub(words, S_OUTSTANDING_BYTES, bytes);
  Atomics.store(words, S_ACKED_LINES, base);
  Atomics.notify(words, S_ACKED_LINES);
  if (closing && lines.length === 0) end();
}

function open(): void {
  retry = undefined;
  const s = connect({ host, port: tcpPort });
  socket = s;
  ready = false;
  let reply = '';
  s.setNoDelay(true);
  // When: connected; the collector answers the hello with the lines it already has.
  s.on('connect', () => {
    Atomics.add(words, S_CONNECTS, 1);
    backoffMs = 10;
    s.write(`#logjam-hello ${stream}\n`);
  });
  // When: the collector's replies: `have <n>` once, then `ack <n>`.
  s.on('data', (chunk: Buffer) => {
    reply += chunk.toString('latin1');
    let nl = reply.indexOf('\n');
    while (nl >= 0) {
      const [word, value] = reply.slice(0, nl).split(' ');
      reply = reply.slice(nl + 1);
      nl = reply.indexOf('\n');
      const n = Number(value);
      if (!Number.isInteger(n)) continue;
      acknowledge(n);
      if (word === 'have' && !ready) {
        ready = true;
        // Everything the collector does not have yet, in order.
        if (lines.length > 0) s.write(Buffer.concat(lines));
      }
    }
  });
  // When: refused, reset, or broken; 'close' follows.
  s.on('error', () => {
    Atomics.add(words, S_ERRORS, 1);
  });
  // When: the connection is gone, after an error or the collector's end.
  s.on('close', () => {
    if (socket !== s) return;
    socket = undefined;
    ready = false;
    if (closing && lines.length === 0) return;
    retry = setTimeout(open, backoffMs);
    backoffMs = Math.min(500, backoffMs * 2);
  });
}

function end(): void {
  clearTimeout(retry);
  retry = undefined;
  const s = socket;
  socket = undefined;
  s?.end();
  port?.close();
}

port.on('message', (command: SocketCommand) => {
  if (command.type === 'lines') {
    const chunk = Buffer.from(command.text, 'utf8');
    // One entry per line: acknowledgements count lines.
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      lines.push(chunk.subarray(start, nl + 1));
      start = nl + 1;
    }
    if (ready) socket?.write(chunk);
  } else {
    closing = true;
    // The handler gave up waiting, or everything is acknowledged: either way, end now.
    end();
  }
});

open();
