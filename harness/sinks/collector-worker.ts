/**
 * The collector's thread: the loopback TCP server behind harness/sinks/collector.ts. What a log
 * shipper's far end looks like to a logger (a syslog or Logstash TCP input). It writes every whole line it receives to the run's sink file, where the
 * ledger reads it back, and it can misbehave on purpose (tcp-collector):
 *
 * - `refuseMs`: nothing listens on the port until this long after start: connections are
 *   refused (ECONNREFUSED), as while a collector restarts.
 * - `resetAfterBytes` / `resets`: a connection that has carried this many bytes is reset
 *   (RST, `resetAndDestroy`) right after its last whole line is written, up to `resets` times;
 *   bytes the logger had already handed to its socket are gone, as when a collector crashes.
 * - `slowMs`: after every chunk, reading pauses this long, so the logger meets backpressure.
 *
 * The line protocol and the optional resume handshake are documented on `CollectorAddress`
 * (harness/contract/adapter.ts). It runs on its own thread, because a logger's shutdown may block the
 * run's main thread (the reference logger's stop() waits with Atomics) while it still needs the
 * collector to read and acknowledge. Every timer it arms is cleared by `close()`.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { CollectorAddress } from '../contract/adapter.js';
import type { CollectorCommand, CollectorFaults, CollectorMessage, CollectorStats } from './collector.js';

const HELLO = '#logjam-hello ';

interface Stream {
  lines: number;
}

interface Connection {
  readonly socket: Socket;
  pending: Buffer | undefined;
  bytes: number;
  stream: Stream | undefined;
  sawFirstLine: boolean;
}

class CollectorServer {
  readonly #server: Server;
  readonly #file: string;
  readonly #faults: CollectorFaults;
  readonly #connections = new Set<Connection>();
  readonly #streams = new Map<string, Stream>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #started = performance.now();
  #fd: number | undefined;
  #port = 0;
  #listening = false;
  #refusedForMs = 0;
  #closed = false;
  #stats = { connections: 0, resets: 0, lines: 0, linesAfterFault: 0, bytes: 0, partialBytesDiscarded: 0 };

  private constructor(file: string, faults: CollectorFaults) {
    this.#file = file;
    this.#faults = faults;
    // allowHalfOpen: when a client ends, the collector writes what it holds before it ends its
    // side, so a client that waits for 'close' knows its lines are in the file.
    this.#server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
  }

  /** Starts a collector writing to `file`; resolves once its port is known. */
  static async start(file: string, faults: CollectorFaults = {}): Promise<CollectorServer> {
    const collector = new CollectorServer(file, faults);
    await collector.#listen(0);
    const refuseMs = faults.refuseMs ?? 0;
    if (refuseMs > 0) {
      // Refusing is not listening: the port stays ours (nothing else on the machine binds
      // ephemeral loopback ports by number), and listening resumes on the same port.
      await collector.#unlisten();
      collector.#arm(refuseMs, () => {
        collector.#listen(collector.#port).then(
          () => (collector.#refusedForMs = Math.round(performance.now() - collector.#started)),
          (error: unknown) => post({ type: 'failed', message: `could not listen again on port ${collector.#port}: ${String(error)}` }),
        );
      });
    }
    return collector;
  }

  get address(): CollectorAddress {
    return { host: '127.0.0.1', port: this.#port };
  }

  get listening(): boolean {
    return this.#listening;
  }

  stats(): CollectorStats {
    return { ...this.#stats, streams: this.#streams.size, refusedForMs: this.#refusedForMs };
  }

  /**
   * Stops accepting, waits up to `ms` for clients to end their connections (their last lines are
   * written as they arrive), then destroys what is left and closes the sink file.
   */
  async close(ms = 2000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const c of this.#connections) c.socket.resume();
    await this.#unlisten();
    if (this.#connections.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        const check = setInterval(() => {
          if (this.#connections.size > 0) return;
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }, 5);
        timer.unref();
        check.unref();
      });
    }
    for (const c of this.#connections) this.#drop(c, false);
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ host: '127.0.0.1', port }, () => {
        this.#server.off('error', onError);
        this.#port = (this.#server.address() as { port: number }).port;
        this.#listening = true;
        resolve();
      });
    });
  }

  #unlisten(): Promise<void> {
    if (!this.#listening) return Promise.resolve();
    this.#listening = false;
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #arm(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#stats.connections++;
    const c: Connection = { socket, pending: undefined, bytes: 0, stream: undefined, sawFirstLine: false };
    this.#connections.add(c);
    // When: bytes arrived from the logger.
    socket.on('data', (chunk: Buffer) => this.#receive(c, chunk));
    // When: the logger ended its side (FIN): write what is whole, then end ours.
    socket.on('end', () => {
      this.#discardPartial(c);
      socket.end();
    });
    // When: the connection failed (the logger reset it) or was destroyed.
    socket.on('error', () => undefined);
    socket.on('close', () => this.#connections.delete(c));
  }

  #receive(c: Connection, chunk: Buffer): void {
    c.bytes += chunk.length;
    this.#stats.bytes += chunk.length;
    const data = c.pending === undefined ? chunk : Buffer.concat([c.pending, chunk]);
    let start = 0;
    let out: Buffer[] = [];
    let outLines = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      const line = data.subarray(start, nl + 1);
      start = nl + 1;
      if (!c.sawFirstLine) {
        c.sawFirstLine = true;
        const text = line.toString('utf8').trimEnd();
        if (text.startsWith(HELLO)) {
          const id = text.slice(HELLO.length);
          let stream = this.#streams.get(id);
          if (stream === undefined) this.#streams.set(id, (stream = { lines: 0 }));
          // Lines counted so far are already in the file: the client resumes after them.
          this.#write(out, outLines);
          out = [];
          outLines = 0;
          c.stream = stream;
          c.socket.write(`have ${stream.lines}\n`);
          continue;
        }
      }
      out.push(line);
      outLines++;
    }
    c.pending = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    this.#write(out, outLines);
    if (c.stream !== undefined) {
      c.stream.lines += outLines;
      if (outLines > 0 && !c.socket.destroyed) c.socket.write(`ack ${c.stream.lines}\n`);
    }
    const resetAfter = this.#faults.resetAfterBytes;
    if (resetAfter !== undefined && c.bytes >= resetAfter && this.#stats.resets < (this.#faults.resets ?? 1)) {
      this.#stats.resets++;
      this.#stats.linesAfterFault = 0;
      this.#drop(c, true);
      return;
    }
    const slowMs = this.#faults.slowMs ?? 0;
    if (slowMs > 0 && !this.#closed) {
      c.socket.pause();
      this.#arm(slowMs, () => c.socket.resume());
    }
  }

  #write(lines: Buffer[], count: number): void {
    if (count === 0) return;
    this.#fd ??= openSync(this.#file, 'a');
    const bytes = lines.length === 1 ? (lines[0] as Buffer) : Buffer.concat(lines);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd, bytes, off, bytes.length - off);
    this.#stats.lines += count;
    this.#stats.linesAfterFault += count;
  }

  #discardPartial(c: Connection): void {
    if (c.pending !== undefined) this.#stats.partialBytesDiscarded += c.pending.length;
    c.pending = undefined;
  }

  /** Ends a connection at once: with a reset (RST) when `reset`, else a plain destroy. */
  #drop(c: Connection, reset: boolean): void {
    this.#discardPartial(c);
    this.#connections.delete(c);
    if (reset) c.socket.resetAndDestroy();
    else c.socket.destroy();
  }
}

const port = parentPort;
if (port === null) throw new Error('collector-worker.js must run as a worker thread: this is a harness bug');
const post = (message: CollectorMessage): void => port.postMessage(message);
const data = workerData as { readonly file: string; readonly faults: CollectorFaults };
try {
  const server = await CollectorServer.start(data.file, data.faults);
  post({ type: 'listening', address: server.address });
  port.on('message', (command: CollectorCommand) => {
    if (command.type !== 'close') return;
    void server.close(command.ms).then(() => {
      post({ type: 'closed', stats: server.stats() });
      port.close();
    });
  });
} catch (error: unknown) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
