/**
 * A pino transport target writing through logjam's sink, so a scenario's pathologies (a failing
 * write) reach a destination inside thread-stream's worker. pino loads it by path in that worker
 * and writes each batch of lines to the stream it returns.
 */

import { Writable } from 'node:stream';
import { createSink, type SinkOptions } from '../harness/sinks/sinks.js';

export default function sinkTarget(options: { file: string; sink?: SinkOptions }): Writable {
  const stream: Writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      // A throwing sink throws out of write(), to whoever writes: as a real synchronous sink would.
      sink.write(chunk.toString('utf8'));
      callback();
    },
    final(callback) {
      sink.close();
      callback();
    },
  });
  const sink = createSink(options.file, options.sink ?? {}, { onError: (error) => stream.destroy(error) });
  return stream;
}
