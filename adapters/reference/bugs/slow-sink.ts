/**
 * A file handler on a slow disk (`pauseMs` per batch, 2 ms unless told), for variants whose defect only shows when
 * the listener lags behind: the environment of the defect, not the defect.
 */

import type { ProcessContext } from '../../../harness/contract/adapter.js';
import { createSink, type SinkOptions } from '../../../harness/sinks/sinks.js';
import type { LoggingConfig } from '../config.js';
import { FileHandler } from '../handlers.js';
import type { LogRecord } from '../record.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

export class SlowFileHandler extends FileHandler {
  readonly #pauseMs: number;

  constructor(name: string, options: { readonly file: string; readonly sink: SinkOptions; readonly pauseMs?: number }) {
    super(name, createSink(options.file, options.sink));
    this.#pauseMs = options.pauseMs ?? 2;
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    Atomics.wait(pause, 0, 0, this.#pauseMs);
    super.emitBatch(records);
  }
}

/** The run's configuration with its file handler replaced by the slow one. */
export function withSlowSink(config: LoggingConfig, ctx: ProcessContext, pauseMs = 2): LoggingConfig {
  return {
    ...config,
    handlers: { slow: { type: 'custom', module: import.meta.url, export: 'SlowFileHandler', options: { file: ctx.file, sink: ctx.sink, pauseMs } } },
    root: { level: ctx.level, handlers: ['slow'] },
  };
}
