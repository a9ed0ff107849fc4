/**
 * reference-bug-silent-drop: the overflow path drops records without counting them, so the
 * loss is invisible (seeds' DroppingQueueHandler: `except queue.Full: pass`). Rule broken:
 * every drop is counted and exposed.
 *
 * Overflow is made certain in every run: a 16 KiB queue and a listener slowed by a sink that
 * pauses 2 ms per batch.
 */

import { referenceAdapter } from '../kit.js';
import { SharedQueue } from '../queue.js';
import { withSlowSink } from './slow-sink.js';

class UncountingQueue extends SharedQueue {
  protected override shed(): void {
    // BUG: the record is gone and nobody is told.
  }
}

export { UncountingQueue as queue };

export default referenceAdapter({
  name: 'reference-bug-silent-drop',
  description: 'seeded defect: the overflow path drops records without counting them (tiny queue, slow sink)',
  variant: import.meta.url,
  tune: (config, ctx) => ({ ...withSlowSink(config, ctx), queue: { capacity: 16 * 1024 } }),
});
