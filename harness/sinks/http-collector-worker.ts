/**
 * The HTTP collector's thread: a loopback HTTP server behind harness/sinks/collector.ts
 * (`Collector.startHttp`), what a log service's intake endpoint looks like to a logger that
 * ships over HTTP (winston's Http transport, pino-loki, log4js's logstash-http appender). It
 * accepts a POST on any path and stores the records in its body, one line each, in the run's
 * sink file, where the ledger reads them back. The adapter's `capabilities.httpBody` says how a
 * body carries its records (http-body.ts: ndjson, Loki's push JSON, Elasticsearch's bulk
 * NDJSON); what a decoder cannot read is written line by line as it came, so a torn record
 * stays torn for the ledger to see.
 *
 * Records are stored when the request is answered 200, never before: a request the collector
 * fails stores nothing, as a service that answered 503 kept nothing. Faults (http-collector):
 * `slowMs` delays every answer; `status` answers the first N requests with a 5xx or 429;
 * `resetRequests` destroys the first N requests' connections unanswered; `stallMs` holds every
 * request arriving within that window of the first one and answers them all when it ends.
 * Faults are counted in requests where they can be, so machine load does not move them.
 *
 * It runs on its own thread for the same reason the TCP collector does: a logger's shutdown may
 * block the run's main thread while it still needs its requests answered. Every timer it arms
 * is cleared by `close()`, which answers what it still holds first.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { HttpBody } from '../contract/adapter.js';
import type { HttpCollectorFaults, HttpCollectorStats } from '../contract/sink-spec.js';
import type { CollectorCommand, CollectorMessage } from './collector.js';
import { decodeBody } from './http-body.js';
import { nearsFdLimit, openFileLimit } from './fd-limit.js';

interface Pending {
  readonly index: number;
  readonly res: ServerResponse;
  readonly lines: readonly string[];
}

class HttpCollectorServer {
  readonly #server: Server;
  readonly #file: string;
  readonly #faults: HttpCollectorFaults;
  readonly #body: HttpBody;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #held: Pending[] = [];
  #fd: number | undefined;
  #port = 0;
  #closed = false;
  #inFlight = 0;
  #stallEndsAt: number | undefined;
  #connections = 0;
  #fdLimit = openFileLimit();
  #fdShared = false;
  #lastFaultIndex = -1;
  #stats = { requests: 0, accepted: 0, faulted: 0, faultedRecords: 0, held: 0, lines: 0, linesAfterFault: 0, bytes: 0, maxInFlight: 0, unparsedBodies: 0 };

  private constructor(file: string, faults: HttpCollectorFaults, body: HttpBody) {
    this.#file = file;
    this.#faults = faults;
    this.#body = body;
    this.#server = createServer((req, res) => this.#request(req, res));
    // The sink file is opened before the first connection: a logger that exhausts the process's
    // descriptors must not make the collector fail to store what it already took.
    this.#fd = openSync(file, 'a');
    this.#server.on('connection', (socket) => {
      this.#connections++;
      socket.once('close', () => this.#connections--);
      if (!this.#fdShared && nearsFdLimit(this.#connections, this.#fdLimit)) {
        this.#fdShared = true;
        onFdShared(this.#connections, this.#fdLimit);
      }
    });
    // A logger that keeps its connections open between requests must not hold close() up.
    this.#server.keepAliveTimeout = 1000;
  }

  static async start(file: string, faults: HttpCollectorFaults, body: HttpBody): Promise<HttpCollectorServer> {
    const collector = new HttpCollectorServer(file, faults, body);
    await new Promise<void>((resolve, reject) => {
      collector.#server.once('error', reject);
      collector.#server.listen({ host: '127.0.0.1', port: 0 }, () => {
        collector.#server.off('error', reject);
        collector.#port = (collector.#server.address() as { port: number }).port;
        resolve();
      });
    });
    return collector;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.#port };
  }

  stats(): HttpCollectorStats {
    return { ...this.#stats };
  }

  /**
   * Stops accepting, answers what a stall or a slow answer still holds (storing it), gives
   * requests whose bodies are still arriving up to `ms`, then drops every connection and closes
   * the sink file.
   */
  async close(ms: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const p of this.#held.splice(0)) this.#accept(p);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const deadline = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
    });
    await Promise.race([closed, deadline]);
    this.#server.closeAllConnections();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const index = this.#stats.requests++;
    this.#inFlight++;
    this.#stats.maxInFlight = Math.max(this.#stats.maxInFlight, this.#inFlight);
    res.once('close', () => this.#inFlight--);
    const chunks: Buffer[] = [];
    // When: body bytes arrived.
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // When: the client aborted the request or its connection failed: nothing to answer.
    req.on('error', () => undefined);
    // When: the whole body arrived.
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.#stats.bytes += body.length;
      this.#received({ index, res, lines: this.#records(body.toString('utf8')) });
    });
  }

  #received(p: Pending): void {
    const { status, resetRequests = 0, stallMs = 0, slowMs = 0 } = this.#faults;
    if (this.#closed) {
      this.#accept(p);
      return;
    }
    if (status !== undefined && p.index < status.requests) {
      this.#fault(p);
      p.res.writeHead(status.code, { 'content-type': 'text/plain', ...(status.code === 429 ? { 'retry-after': '0' } : {}) }).end(`logjam: fault injected (${status.code})\n`);
      return;
    }
    if (p.index < resetRequests) {
      this.#fault(p);
      p.res.socket?.resetAndDestroy();
      return;
    }
    if (stallMs > 0) {
      const now = performance.now();
      if (this.#stallEndsAt === undefined) {
        this.#stallEndsAt = now + stallMs;
        this.#arm(stallMs, () => {
          for (const held of this.#held.splice(0)) this.#accept(held);
        });
      }
      if (now < this.#stallEndsAt) {
        this.#stats.held++;
        this.#held.push(p);
        return;
      }
    }
    if (slowMs > 0) this.#arm(slowMs, () => this.#accept(p));
    else this.#accept(p);
  }

  #fault(p: Pending): void {
    this.#stats.faulted++;
    this.#stats.faultedRecords += p.lines.length;
    this.#lastFaultIndex = Math.max(this.#lastFaultIndex, p.index);
  }

  /** Stores the request's records, then answers 200: a record counts once the service kept it. */
  #accept(p: Pending): void {
    if (p.res.destroyed) return;
    if (p.lines.length > 0) {
      this.#fd ??= openSync(this.#file, 'a');
      const bytes = Buffer.from(p.lines.join(''), 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(this.#fd, bytes, off, bytes.length - off);
      this.#stats.lines += p.lines.length;
      if (p.index > this.#lastFaultIndex) this.#stats.linesAfterFault += p.lines.length;
    }
    this.#stats.accepted++;
    p.res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}\n');
  }

  /** The records of one body, each a line ending in a newline (http-body.ts). */
  #records(body: string): readonly string[] {
    const decoded = decodeBody(body, this.#body);
    if (decoded.unparsed) this.#stats.unparsedBodies++;
    return decoded.lines;
  }

  #arm(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}

const port = parentPort;
if (port === null) throw new Error('http-collector-worker.js must run as a worker thread: this is a harness bug');
const post = (message: CollectorMessage): void => port.postMessage(message);
function onFdShared(connections: number, limit: number | undefined): void {
  post({ type: 'fd-shared', connections, limit });
}
const data = workerData as { readonly file: string; readonly faults: HttpCollectorFaults; readonly body: HttpBody };
try {
  const server = await HttpCollectorServer.start(data.file, data.faults, data.body);
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
