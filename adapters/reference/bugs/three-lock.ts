/**
 * reference-bug-three-lock: three handlers that forward to one another, each forward taken
 * holding the sender's lock: audit → file on one thread, file → metrics on another, metrics →
 * audit on a third. Any two of the three orders are consistent with each other; all three form a
 * cycle, and with three threads in it at once, a deadlock. Rule broken: one documented lock
 * order (this logger has none).
 *
 * The shape is a common one: a logger grows a forwarding handler at a time, and each
 * forwarding pair was reviewed on its own. The sink write itself happens after both locks are
 * released, so the only cycle is the three-lock one.
 */

import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { defineAdapter } from '../../../harness/contract/adapter.js';
import { createSink } from '../../../harness/sinks/sinks.js';
import { Mutex, type LockHandle } from '../../../harness/sync/locks.js';

const KEY = 'logjam.reference-bug-three-lock';
const CLASSES = ['three.audit', 'three.file', 'three.metrics'] as const;

export default defineAdapter({
  name: 'reference-bug-three-lock',
  description: 'seeded defect: three handlers forward to each other under their own locks (A→B, B→C, C→A on three threads)',
  capabilities: { format: 'text', gracefulShutdown: true, threads: true, harnessSink: true },
  setup() {
    const handles: LockHandle[] = CLASSES.map((name) => Mutex.create(name).handle);
    setEnvironmentData(KEY, handles);
    return {};
  },
  create(ctx) {
    const handles = getEnvironmentData(KEY) as LockHandle[] | undefined;
    if (handles === undefined) throw new Error('reference-bug-three-lock needs its setup() to run in the main thread first');
    const locks = handles.map((h) => Mutex.from(h));
    const sink = createSink(ctx.file, ctx.sink);
    // This thread's handler, and the one it forwards to.
    const first = locks[ctx.producer % 3] as Mutex;
    const second = locks[(ctx.producer + 1) % 3] as Mutex;
    return {
      log(level, message) {
        // Forward from this thread's handler to the next: both handlers' state changes together.
        let line: string;
        first.lock();
        try {
          second.lock();
          try {
            line = `${level} ${message}\n`;
          } finally {
            second.unlock();
          }
        } finally {
          first.unlock();
        }
        try {
          sink.write(line);
        } catch {
          // The sink's injected failures happen after the write: the record is there.
        }
      },
      close() {
        sink.close();
      },
    };
  },
});
