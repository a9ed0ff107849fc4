/**
 * Small helpers the bundled adapters share: ending a Node stream and waiting until its file
 * descriptor is closed, and listing a rotating logger's files in the order they were written.
 */

import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { carriesOuterRecord, createSink, type ReentryHook, type SinkOptions } from '../harness/sinks/sinks.js';

interface EndableStream extends NodeJS.EventEmitter {
  end(): unknown;
  readonly closed?: boolean;
  readonly destroyed?: boolean;
  readonly writableFinished?: boolean;
}

/** Ends a writable file stream and resolves once it has closed (or rejects with its error). */
export async function endStream(stream: EndableStream, event: 'close' | 'finish' = 'close'): Promise<void> {
  if (stream.closed === true || stream.destroyed === true) return;
  if (event === 'finish' && stream.writableFinished === true) return;
  const ended = once(stream, event);
  stream.end();
  await ended;
}

/**
 * A reentrant hook (`reentryHook`) on a stream bunyan writes one record per `write()` to, with
 * no callback: the callback added here runs the hook once the record is in the file. `stop()`
 * first lets the callbacks of the records written so far run (a stream calls back in order, so
 * an empty write's callback comes after theirs; at once if the stream already ended), then
 * stops the hook: on a slow disk none had run by the time a producer closed.
 */
export function hookStreamWrites(stream: NodeJS.WritableStream & { readonly writableEnded?: boolean; readonly destroyed?: boolean }, hook: ReentryHook): { stop(): Promise<void> } {
  const write = stream.write.bind(stream) as (chunk: string, callback: (error?: Error | null) => void) => boolean;
  stream.write = ((chunk: string) => write(chunk, (error) => error == null && hook(carriesOuterRecord(String(chunk)))));
  return {
    async stop() {
      if (stream.writableEnded !== true && stream.destroyed !== true) await new Promise<void>((resolve) => write('', () => resolve()));
      hook.stop();
    },
  };
}

/** How one logger names the files it rotates `file` into. */
export type RotationNaming =
  /** winston (`tailable: false`): sink.log first, then sink1.log, sink2.log, ... (oldest first). */
  | 'winston'
  /** log4js and bunyan: sink.log.1 (or .0) is the newest rotated file, then .2 ...; sink.log is current. */
  | 'numbered-suffix';

/**
 * The files a rotating logger wrote for `file`, oldest first, so the ledger reads records in
 * the order they were written and a rotation that drops or repeats records shows.
 */
export function rotatedFiles(file: string, naming: RotationNaming): string[] {
  const dir = dirname(file);
  const name = basename(file);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [file];
  }
  if (naming === 'winston') {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    const numbered = entries
      .map((e) => ({ e, m: new RegExp(`^${escape(stem)}(\\d+)${escape(ext)}$`).exec(e) }))
      .filter((x) => x.m !== null)
      .map((x) => ({ file: join(dir, x.e), n: Number(x.m?.[1]) }))
      .sort((a, b) => a.n - b.n);
    return [file, ...numbered.map((x) => x.file)];
  }
  const numbered = entries
    .map((e) => ({ e, m: new RegExp(`^${escape(name)}\\.(\\d+)$`).exec(e) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ file: join(dir, x.e), n: Number(x.m?.[1]) }))
    .sort((a, b) => b.n - a.n);
  return [...numbered.map((x) => x.file), file];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface MaybeByteStream {
  readonly writableLength?: number;
  readonly writableObjectMode?: boolean;
}

/**
 * Bytes queued in byte streams and not yet written (`writableLength`), for an adapter's
 * `buffered()`. Object-mode streams count objects, not bytes, and are left out.
 */
export function writableBytes(...streams: readonly (MaybeByteStream | undefined)[]): number {
  let bytes = 0;
  for (const s of streams) if (s !== undefined && s.writableObjectMode !== true && typeof s.writableLength === 'number') bytes += s.writableLength;
  return bytes;
}

/**
 * What a winston logger's File transports hold: the PassThrough each writes into, and the file
 * stream that drains it (replaced at every rotation, so read at each call).
 */
export function winstonFileBytes(logger: { readonly transports: readonly object[] }): number {
  let bytes = 0;
  for (const t of logger.transports as readonly { _stream?: MaybeByteStream; _dest?: MaybeByteStream }[]) bytes += writableBytes(t._stream, t._dest);
  return bytes;
}

/** What bunyan's streams hold: each stream's own queue, and a rotating-file stream's current file stream. */
export function bunyanBytes(logger: object): number {
  const streams = (logger as { streams: { stream: MaybeByteStream & { stream?: MaybeByteStream } }[] }).streams;
  return streams.reduce((sum, s) => sum + writableBytes(s.stream, s.stream.stream), 0);
}

/**
 * The run's second sink (`ctx.secondFile` with its pathologies) as a Node Writable, for loggers
 * that take a destination stream beside their file (winston's Stream transport, a bunyan raw
 * stream). A failing write fails the way a file stream's does: the write's callback gets the
 * error and the stream emits 'error' and is destroyed; later writes to it fail too. The
 * application owns this stream and handles its errors (an 'error' nobody listens to would end
 * the thread, the adapter's doing, not the logger's, issue 13): what a failing destination does
 * to the logger's other destination is the scenario's to judge (failing-sink).
 */
export function secondSinkStream(file: string, options: SinkOptions): Writable {
  const stream: Writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        sink.write(chunk.toString('utf8'));
        callback();
      } catch (error: unknown) {
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
    final(callback) {
      sink.close();
      callback();
    },
  });
  const sink = createSink(file, options, { onError: (error) => stream.destroy(error) });
  stream.on('error', () => undefined);
  return stream;
}
