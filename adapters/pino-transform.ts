/**
 * An asynchronous pino transform for `pino-pipeline`, loaded by path in thread-stream's worker as
 * the first stage of `pino.transport({ pipeline: [...] })`. It is written the way
 * pino-abstract-transport documents a pipelined transform (`build(fn, { enablePipelining: true })`,
 * `fn` returning the stream the next stage reads): it iterates the parsed records with
 * `for await` and enriches each with an asynchronous lookup, as a step that asks a cache or a
 * service for host metadata would. Up to `window` lookups are in flight at once; records leave in
 * the order they came, and when the source ends every lookup still in flight is awaited and
 * written before the output ends.
 */

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { loadLogger } from './load.js';

type Build = (fn: (source: AsyncIterable<Record<string, unknown>>) => Readable, options: { enablePipelining: true }) => Duplex;

/** pino-abstract-transport as the loaded pino resolves it (the version its worker uses). */
export function loadBuild(): Build {
  const pino = loadLogger('pino');
  return createRequire(join(pino.dir, 'package.json'))('pino-abstract-transport') as Build;
}

/** The enrichment lookup: answers on a later turn of the worker's event loop, as I/O would. */
export function lookup(record: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => setImmediate(() => resolve({ ...record, enriched: true })));
}

export default function pinoTransform(options: { window?: number } = {}): Duplex {
  const window = Math.max(1, options.window ?? 8);
  return loadBuild()(
    (source) =>
      Readable.from(
        (async function* enrich() {
          const inFlight: Promise<Record<string, unknown>>[] = [];
          for await (const record of source) {
            inFlight.push(lookup(record));
            if (inFlight.length >= window) yield `${JSON.stringify(await inFlight.shift())}\n`;
          }
          // The source has ended: what is still being looked up is written before the output ends.
          while (inFlight.length > 0) yield `${JSON.stringify(await inFlight.shift())}\n`;
        })(),
        { objectMode: false },
      ),
    { enablePipelining: true },
  );
}
