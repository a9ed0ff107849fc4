/**
 * The FIFO relay's thread (see harness/sinks/fifo-relay.ts): copies every byte read from the named
 * pipe into the sink file, unchanged, until the end marker arrives. On its own thread because
 * a logger's shutdown may block the run's main thread while the logger's own thread still
 * writes into the pipe: a relay on the main thread would then never drain it.
 */

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { FIFO_END, type FifoRelayMessage } from './fifo-relay.js';

const port = parentPort;
if (port === null) throw new Error('fifo-relay-worker.js must run as a worker thread: this is a harness bug');
const post = (message: FifoRelayMessage): void => port.postMessage(message);
const { path, sinkFile } = workerData as { readonly path: string; readonly sinkFile: string };
const END = Buffer.from(FIFO_END);

const sinkFd = openSync(sinkFile, 'a');
// Read-write: the relay is then a writer too, so the pipe never reads end-of-file while no
// logger has it open (before the first opens, between two). Linux allows O_RDWR on a FIFO.
const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
const socket = new Socket({ fd, readable: true, writable: false });
let tail = Buffer.alloc(0);
let bytes = 0;
let reads = 0;

function write(chunk: Buffer): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(sinkFd, chunk, off, chunk.length - off);
  bytes += chunk.length;
}

// When: bytes arrived in the pipe, in whatever pieces the writers' writes left them.
socket.on('data', (chunk: Buffer) => {
  reads++;
  // Hold back what could be the start of the end marker, to strip it whole.
  const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
  const end = data.indexOf(END);
  const upTo = end >= 0 ? end : Math.max(0, data.length - END.length);
  write(data.subarray(0, upTo));
  tail = end >= 0 ? Buffer.alloc(0) : Buffer.from(data.subarray(upTo));
  if (end >= 0) finish();
});
// When: reading the pipe failed; what was read is kept.
socket.on('error', (error) => {
  post({ type: 'failed', message: error.message });
  finish();
});
post({ type: 'ready' });

function finish(): void {
  write(tail);
  tail = Buffer.alloc(0);
  socket.destroy();
  closeSync(sinkFd);
  post({ type: 'drained', bytes, reads });
  port?.close();
}
