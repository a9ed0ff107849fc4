/**
 * reference-tcp: the reference logger sending its records to logjam's loopback collector
 * through its SocketHandler (socket-handler.ts): producers append to the bounded shared queue,
 * the listener thread hands batches to the handler, the handler's I/O thread keeps one TCP
 * connection, reconnects with backoff, resends what the collector has not acknowledged, and
 * counts every record it drops.
 */

import { defineAdapter } from '../../harness/contract/adapter.js';
import { connect } from './logger.js';
import { S_DROPPED, SOCKET_COUNTER_BYTES, type SocketHandlerOptions } from './socket-handler.js';
import { configure, type LoggingSystem } from './system.js';

const socketModule = new URL('./socket-handler.js', import.meta.url).href;
let system: LoggingSystem | undefined;

export default defineAdapter({
  name: 'reference-tcp',
  description: 'the reference logger with a SocketHandler to the TCP collector: reconnect with backoff, bounded buffer, counted drops, resume after a reset',
  capabilities: { format: 'ndjson', gracefulShutdown: true, reportsDrops: true, threads: true, fields: true, tcp: true },
  async setup(ctx) {
    if (ctx.collector === undefined) {
      throw new Error('reference-tcp sends to the collector logjam starts for adapters with `tcp: true`, but none was given: this is a harness bug');
    }
    const counters = new SharedArrayBuffer(SOCKET_COUNTER_BYTES);
    const options: SocketHandlerOptions = { host: ctx.collector.host, port: ctx.collector.port, counters };
    const s = await configure({
      queue: { capacity: 32 * 1024 * 1024 },
      handlers: { socket: { type: 'custom', module: socketModule, export: 'SocketHandler', options } },
      root: { level: ctx.level, handlers: ['socket'] },
      listener: { respectHandlerLevel: true },
    });
    system = s;
    const words = new Int32Array(counters);
    return {
      close() {
        if (!s.stop()) throw new Error(`the reference logger's stop() did not drain within ${s.timeoutMs} ms`);
      },
      dropped: () => s.dropped().total + Atomics.load(words, S_DROPPED),
    };
  },
  async create(ctx) {
    const client = await connect();
    const name = `producer.${ctx.producer}`;
    return {
      log: (level, message, fields) => client.getLogger(name).log(level, message, fields),
      buffered: () => client.queue.usedBytes,
      close() {
        if (system?.stopped === true) return;
        if (!client.flush()) throw new Error(`the reference logger's flush() did not finish within ${client.flushMs} ms`);
      },
    };
  },
});
