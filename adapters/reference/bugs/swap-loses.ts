/**
 * reference-bug-swap-loses: reconfiguration throws away the records still queued for the old
 * handlers ("they were meant for the old configuration") before installing the new ones, as a
 * logger that replaces its listener without draining it does. Rule broken: swap the
 * listener's handlers with no record lost.
 */

import { referenceAdapter } from '../kit.js';
import { Listener } from '../listener.js';
import type { LoggingConfig } from '../config.js';

class DiscardingListener extends Listener {
  protected override async swap(config: LoggingConfig): Promise<void> {
    // BUG: records in flight are claimed and given back unwritten, and not counted.
    const cursor = this.queue.claim(0, () => true);
    for (let i = 0; i < cursor.count; i++) this.queue.committed(this.queue.next(cursor));
    this.queue.release(cursor, cursor.count);
    await super.swap(config);
  }
}

export { DiscardingListener as listener };

export default referenceAdapter({
  name: 'reference-bug-swap-loses',
  description: 'seeded defect: a handler swap discards the records still queued for the old handlers',
  variant: import.meta.url,
});
