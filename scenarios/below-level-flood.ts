/**
 * below-level-flood: a logger set to `error` is called hundreds of thousands of times at
 * `debug` and `info`, as a hot path with verbose logging compiled in but switched off. A
 * filtered-out call must cost a level check and keep nothing: memory must not grow with calls.
 *
 * Load: the main thread creates one logger at level `error` and makes `calls` calls below it,
 * with fresh message strings (and a fields object for adapters with `fields`), then logs one
 * `error` record and closes the logger.
 * Pathology: none in the sink; the volume of filtered calls is the load.
 * Oracle: the heap retained after a full garbage collection, before and after the flood
 * (`unbounded-memory` when it grew by more than 8 MB and more than 16 bytes per call: a logger
 * that keeps something of every filtered call); the one `error` record must arrive, the
 * shutdown must finish, no error may escape.
 *
 * Upstream bug class: work and allocation done before the level check, or a debug buffer that
 * keeps filtered records with no bound (no upstream issue linked yet: none of the bundled
 * loggers shows it in the runs so far).
 */

import fc from 'fast-check';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { defineScenario } from '../harness/contract/scenario.js';
import { encodeRecord, PayloadSource } from '../harness/ledger/record.js';
import { createRandom } from '../harness/util/random.js';
import { reportProgress } from '../harness/sync/locks.js';
import { reportShutdown } from './natural-exit.js';

/** Retained growth that counts: more than this in all, and more than PER_CALL bytes per call. */
const GROWTH_BYTES = 8 * 1024 * 1024;
const PER_CALL_BYTES = 16;
/** Calls between two yields to the event loop. */
const CHUNK = 2000;

/** A full, synchronous garbage collection: `--expose-gc` turned on at run time for this isolate. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    // Twice: the first pass may only clear what finalizers keep for one more cycle.
    gc();
    gc();
  };
}

export default defineScenario({
  name: 'below-level-flood',
  description: 'a logger at level error called 200 000 to 600 000 times at debug/info; retained memory must not grow with the calls',
  failOn: ['unbounded-memory', 'exit-loss', 'lost-records', 'exit-hang', 'crash', 'unhandled-error', 'hang', 'deadlock', 'recursive-lock'],
  lossKind: 'lost-records',
  reproduces: 'allocation or buffering before the level check keeps something of every filtered call',
  params: fc.record({
    calls: fc.integer({ min: 200_000, max: 600_000 }),
    maxPayload: fc.integer({ min: 16, max: 256 }),
    withFields: fc.boolean(),
  }),
  async run(ctx, { calls, maxPayload, withFields }) {
    const gc = collector();
    const fields = withFields && ctx.adapter.capabilities.fields === true;
    ctx.phase('creating the logger at level error');
    const logger = await ctx.createLogger({ level: 'error' });
    // One error record first: the logger is fully set up (buffers, files) before the baseline.
    logger.log('error', encodeRecord(0, 0, 'before-the-flood'));
    gc();
    const before = process.memoryUsage().heapUsed;
    ctx.phase(`flooding: ${calls} calls below the level`);
    const payloads = new PayloadSource(createRandom(ctx.spec.seed), 8, maxPayload);
    let threw = 0;
    let firstError: unknown;
    for (let i = 0; i < calls; i++) {
      // The flood is the application's hot path, not a blocked loop: yield every CHUNK calls so
      // the heartbeat (and the logger's own I/O) runs, or the watchdog would see a hang of ours.
      if (i % CHUNK === CHUNK - 1) {
        // Filtered calls are not records: they move the thread's own progress counter, not its
        // produced count (which the liveness probe compares with the sink's growth).
        reportProgress(i + 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
      // A fresh string per call, as `debug(\`user ${id} did ${what}\`)` builds one.
      const message = `filtered ${i} ${payloads.payload(i)}`;
      try {
        if (fields) logger.log(i % 2 === 0 ? 'debug' : 'info', message, { i, user: `u${i % 1000}` });
        else logger.log(i % 2 === 0 ? 'debug' : 'info', message);
      } catch (error: unknown) {
        threw++;
        firstError ??= error;
      }
    }
    gc();
    const after = process.memoryUsage().heapUsed;
    const growth = after - before;
    const evidence = { calls, heapBeforeMb: mb(before), heapAfterMb: mb(after), retainedGrowthMb: mb(growth), bytesPerCall: Math.round(growth / calls), fields, signature: 'filtered-calls-retained' };
    if (growth > GROWTH_BYTES && growth / calls > PER_CALL_BYTES) {
      ctx.finding({
        kind: 'unbounded-memory',
        severity: 'error',
        message: `The heap retained ${evidence.retainedGrowthMb} MB more after ${calls} calls below the logger's level (${evidence.bytesPerCall} bytes per call, after a full GC): the logger keeps something of every filtered call`,
        evidence,
      });
    } else {
      ctx.phase(`memory flat: ${evidence.retainedGrowthMb} MB retained after ${calls} filtered calls`);
    }
    if (threw > 0) {
      ctx.finding({
        kind: 'unhandled-error',
        severity: 'error',
        message: `${threw} filtered log calls threw into the caller: ${firstError instanceof Error ? firstError.message : 'a non-Error value'}`,
        evidence: { threw, signature: 'filtered-call-threw' },
      });
    }
    logger.log('error', encodeRecord(0, 1, 'after-the-flood'));
    ctx.produced([2], logger.dropped?.() ?? 0);
    ctx.phase('closing');
    reportShutdown(ctx, await ctx.close(logger));
  },
});

const mb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;
