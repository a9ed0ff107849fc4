/**
 * pino shipping to Grafana Loki with the `pino-loki` transport, as its README's first example
 * configures it: `pino.transport({ target: 'pino-loki', options: { host } })`, run in
 * thread-stream's worker, POSTing Loki's push JSON to `${host}/loki/api/v1/push` on logjam's
 * loopback HTTP collector (`capabilities.http`, `httpBody: 'loki'`).
 *
 * Batching is left at its default (on, every 5 s, at most 10 000 records buffered): the README's
 * usage examples (worker thread, AdonisJS) set no `batching`, and its options say "Batching is
 * **enabled by default**". `batching: false` is the documented alternative, not what an
 * application gets without asking.
 *
 * What pino-loki's source says it does (dist/index.cjs, pino-loki 3.0.0):
 * - records go into an in-memory buffer; a 5 s interval sends what it holds as one request and
 *   does not wait for the answer; the transport's `close()` sends what is left and waits for
 *   that one request;
 * - a failed request (any status but 2xx, a reset, a timeout: `timeout` 30 s) is not retried:
 *   `console.error` prints it and its records are gone ("If Loki is unreachable, logs in the
 *   current batch will be lost", README "Dropped logs"); nothing counts them, so the adapter has
 *   no `dropped()`;
 * - a full buffer drops its oldest record (README), silently too;
 * - requests are not serialised (the interval's is fire-and-forget), and the README warns of
 *   out-of-order entries: `order: 'none'`.
 *
 * Shutdown: pino's documented transport shutdown, `transport.end()` then its `close` event
 * (thread-stream emits it once the worker has ended, after pino-abstract-transport's `close`,
 * where pino-loki sends its buffer and awaits the answer). `exitFlush`: at exit pino's own hook
 * (on-exit-leak-free, lib/transport.js autoEnd) ends the transport, and thread-stream's end()
 * blocks the exiting thread (Atomics.wait, 10 s at most) until the worker has closed, which
 * includes pino-loki's last push: the worker's event loop runs on while the main thread waits.
 */

import { fileURLToPath } from 'node:url';
import type Pino from 'pino';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loggerVersions } from './load.js';
import { HELPERS, loadPino } from './loggers.js';
import { transportInstance } from './pino-kit.js';

const sinkTarget = fileURLToPath(new URL('./sink-target.js', import.meta.url));

export default defineAdapter({
  name: 'pino-loki',
  description: "pino with the pino-loki transport (default batching: every 5 s) to a loopback HTTP collector speaking Loki's push API; shutdown: end(), close",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    context: 'async-local-storage',
    http: true,
    httpBody: 'loki',
    order: 'none',
    exitFlush: true,
    // Two targets in the transport's worker, as pino-transport: logjam's sink beside pino-loki.
    secondSink: true,
  },
  versions: () => loggerVersions('pino', [...HELPERS.pino, 'pino-loki']),
  create(ctx) {
    if (ctx.collector === undefined) throw new Error('pino-loki: no collector address in ctx.collector, though the adapter declares http: this is a harness bug');
    const pino = loadPino();
    const options = { host: `http://${ctx.collector.host}:${ctx.collector.port}` };
    const second: Pino.TransportTargetOptions | undefined =
      ctx.secondFile === undefined ? undefined : { target: sinkTarget, level: ctx.level, options: { file: ctx.secondFile, sink: ctx.secondSink ?? {} } };
    const transport =
      second === undefined
        ? pino.transport({ target: 'pino-loki', options })
        : pino.transport({ targets: [second, { target: 'pino-loki', level: ctx.level, options }] });
    return transportInstance(pino, ctx.level, transport);
  },
});
