/**
 * reference-bug-recursive: a file handler that reports each batch it wrote by logging a record
 * straight back through itself (its own handle()), from inside emit, while it holds its own
 * non-reentrant lock. Rule broken: a handler that logs from inside its own emit must not
 * re-enter itself (seeds: "Don't log inside your handler — infinite recursion is real").
 *
 * The handler lock is not reentrant, so the second take throws a LockError (under the harness:
 * a `recursive-lock` finding) instead of recursing forever; handleError catches it.
 */

import { createSink, type SinkOptions } from '../../../harness/sinks/sinks.js';
import { FileHandler } from '../handlers.js';
import { referenceAdapter } from '../kit.js';
import type { LogRecord } from '../record.js';

export class ReportingFileHandler extends FileHandler {
  constructor(name: string, options: { readonly file: string; readonly sink: SinkOptions }) {
    super(name, createSink(options.file, options.sink));
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    super.emitBatch(records);
    const last = records[records.length - 1] as LogRecord;
    // BUG: logs through itself, inside its own emit, holding its own lock.
    this.handle([{ ...last, level: 10, message: `wrote a batch of ${records.length}`, fields: '', context: '', error: '' }]);
  }
}

export default referenceAdapter({
  name: 'reference-bug-recursive',
  description: 'seeded defect: a handler logs from inside its own emit straight back through itself while holding its non-reentrant lock',
  variant: import.meta.url,
  tune: (config, ctx) => ({
    ...config,
    handlers: { reporting: { type: 'custom', module: import.meta.url, export: 'ReportingFileHandler', options: { file: ctx.file, sink: ctx.sink } } },
    root: { level: ctx.level, handlers: ['reporting'] },
  }),
});
