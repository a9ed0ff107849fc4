/**
 * pino with a worker-thread transport (`pino.transport({ target: 'pino/file' })`): calls
 * copy records into a shared ring buffer that thread-stream's worker drains to the file.
 * Documented shutdown: `end()` on the transport, then its `close` event.
 */

import { fileURLToPath } from 'node:url';
import type Pino from 'pino';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { transportInstance } from './pino-kit.js';

const sinkTarget = fileURLToPath(new URL('./sink-target.js', import.meta.url));

export default defineAdapter({
  name: 'pino-transport',
  description: "pino with pino.transport({ target: 'pino/file' }), a worker-thread transport, to a file",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    // pino ends the transport at exit (on-exit-leak-free, lib/transport.js autoEnd).
    exitFlush: true,
    // Two targets in the transport's worker (pino's multistream there), the second logjam's sink.
    secondSink: true,
    context: 'async-local-storage',
    fields: true,
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const file: Pino.TransportTargetOptions = { target: 'pino/file', level: ctx.level, options: { destination: ctx.file, append: true } };
    const second: Pino.TransportTargetOptions | undefined =
      ctx.secondFile === undefined ? undefined : { target: sinkTarget, level: ctx.level, options: { file: ctx.secondFile, sink: ctx.secondSink ?? {} } };
    const transport =
      second === undefined
        ? pino.transport({ target: 'pino/file', options: { destination: ctx.file, append: true } })
        : pino.transport({ targets: [second, file] });
    return transportInstance(pino, ctx.level, transport);
  },
});
