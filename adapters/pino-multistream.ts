/**
 * pino over `pino.multistream` with two destinations: an asynchronous sonic-boom to the run's
 * sink file (the one logjam reads back) and a synchronous one to a second file beside it, as an
 * application that keeps a local copy does. Documented shutdown: flush both destinations, end
 * them, and wait for both to close.
 */

import { defineAdapter } from '../harness/contract/adapter.js';
import { loadPino, versionsOf } from './loggers.js';
import { closeSonic, sonicBuffered, sonicFlush } from './pino-kit.js';

export default defineAdapter({
  name: 'pino-multistream',
  description: 'pino.multistream over pino.destination({ sync: false }) to the sink and a sync destination to a second file',
  capabilities: {
    format: 'ndjson',
    gracefulShutdown: true,
    threads: true,
    fields: true,
    // The same sonic-boom destinations as pino-async's, with the same promises: pino flushes each
    // destination pino.destination() made at exit (lib/tools.js buildSafeSonicBoom), and the
    // asynchronous one's buffer has no maxLength by default, so a slow device makes it grow.
    // Undeclared, the same buffering was a failure here and a fact for pino-async.
    exitFlush: true,
    overflow: 'grow',
  },
  versions: () => versionsOf('pino'),
  create(ctx) {
    const pino = loadPino();
    const primary = pino.destination({ dest: ctx.file, sync: false, append: true });
    const copy = pino.destination({ dest: `${ctx.file}.copy-${ctx.producer}`, sync: true, append: true });
    const logger = pino({ level: ctx.level }, pino.multistream([{ level: ctx.level, stream: primary }, { level: ctx.level, stream: copy }]));
    // pino's flush(cb) reaches both destinations through multistream's flush; feature-detected.
    const flush = sonicFlush(logger, primary, copy);
    return {
      log: (level, message, fields) => (fields === undefined ? logger[level](message) : logger[level](fields, message)),
      buffered: () => sonicBuffered(primary, copy),
      ...(flush !== undefined ? { flush } : {}),
      close: () => closeSonic(flush, primary, copy),
    };
  },
});
