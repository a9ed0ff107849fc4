/**
 * pino with a transport pipeline (`pino.transport({ pipeline: [transform, 'pino/file'] })`), the
 * class of issue 18 "a transport target that is itself asynchronous inside the transport's worker".
 *
 * - Load: whatever each scenario drives (the catalogue's scenarios, unchanged).
 * - Pathology: the target is itself asynchronous inside thread-stream's worker: an enrichment
 *   transform (adapters/pino-transform.ts, built with pino-abstract-transport's
 *   `enablePipelining`) awaits one lookup per record on a later turn of the worker's event loop,
 *   up to 8 in flight, before `pino/file` writes the record. So records are still inside the
 *   worker, neither in the ring buffer nor in the file, when the application ends the transport
 *   or exits; with `pino/file` alone (`pino-transport`) they are written as soon as they are read.
 * - Oracle: the catalogue's (each scenario's exact ledger: a record the application logged before
 *   the documented `end()`/`close`, or before `process.exit` with `exitFlush`, must be in the file).
 * - Reproduces: pipeline transforms that lose what is pending when their source ends
 *   (https://github.com/pinojs/pino/issues/1927, `pino.transport.pipeline` may have lost logs;
 *   https://github.com/pinojs/pino/issues/1774, a pipeline's worker exiting mid-stream), and
 *   thread-stream's shutdown waiting (or not) for an asynchronous destination to finish. It
 *   finds one in past releases: up to pino 8.0.0, lib/worker-pipeline.js destroyed the first
 *   stage when its PassThrough auto-destroyed at end(), discarding what the transform still held
 *   (graceful-exit: every record lost; a synchronous Transform instead made end() throw "end()
 *   took too long (10s)"); `logjam bisect -a pino-pipeline -s graceful-exit --logger-version
 *   pino@7.11.0..8.14.1` names pino 8.1.0, whose worker-pipeline.js drops `streams[0].destroy(err)`.
 *   test/fixtures/adapters/pipeline-forgets-pending.ts is this configuration with such a broken
 *   transform, which graceful-exit flags (test/e2e/scenarios-pipeline.test.ts).
 *
 * Documented shutdown: `end()` on the transport, then its `close` event.
 */

import { fileURLToPath } from 'node:url';
import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { transportInstance } from './pino-kit.js';

const transformTarget = fileURLToPath(new URL('./pino-transform.js', import.meta.url));

export default defineAdapter({
  name: 'pino-pipeline',
  description: "pino with pino.transport({ pipeline: [an async transform, 'pino/file'] }) in a worker thread, to a file",
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    // pino ends the transport at exit (on-exit-leak-free, lib/transport.js autoEnd).
    exitFlush: true,
    // One pipeline, one destination: no second sink (a second target would be a multistream, not this class).
    context: 'async-local-storage',
    fields: true,
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const transport = pino.transport({
      pipeline: [
        { target: transformTarget, options: {} },
        { target: 'pino/file', options: { destination: ctx.file, append: true } },
      ],
    });
    return transportInstance(pino, ctx.level, transport);
  },
});
