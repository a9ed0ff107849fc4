/**
 * The reference logger's file writer under logjam: logjam's sink (`createSink`) with the two
 * hooks a scenario's pathologies need, loaded by module URL in the listener thread.
 *
 * - Reentry: the sink logs through this thread's reference logger from inside its write, as a
 *   handler that logs does; the listener routes such records to handlers that are not emitting.
 * - Emitted errors: a Writer reports failures by throwing, so an error the sink emits is
 *   thrown from the next call, where the handler's `handleError` isolates it.
 */

import { createSink, type SinkOptions } from '../../harness/sinks/sinks.js';
import type { Writer } from './handlers.js';
import { getLogger } from './logger.js';

export function harnessWriter(file: string, options: SinkOptions = {}): Writer {
  let pending: Error | undefined;
  const sink = createSink(file, options, {
    reenter: (message) => getLogger('reentry').info(message),
    onError: (error) => {
      pending = error;
    },
  });
  const surface = (): void => {
    const error = pending;
    pending = undefined;
    if (error !== undefined) throw error;
  };
  return {
    write(text) {
      sink.write(text);
      surface();
    },
    flush() {
      sink.flush();
      surface();
    },
    close() {
      sink.close();
    },
  };
}
