/**
 * reference-bug-lost-wakeup: the queue's wakeup is lost (signal() does nothing) and the
 * listener trusts wakeups alone, with no periodic recheck. The listener goes to sleep on its
 * condition the first time the queue is empty (at start, before anyone logs) and never wakes:
 * records pile up in the queue, flush and stop wait in vain. Rule broken: every wait that can
 * miss its wakeup must be woken (or recheck); here the notify is missing.
 *
 * Deterministic: the listener always starts before the first record, so it always sleeps first.
 */

import { referenceAdapter } from '../kit.js';
import { Listener, type ListenerOptions } from '../listener.js';
import type { LoggingClient } from '../logger.js';
import { SharedQueue } from '../queue.js';

class SilentQueue extends SharedQueue {
  protected override signal(): void {
    // BUG: the notify on the listener's condition is missing.
  }
}

class TrustingListener extends Listener {
  constructor(queue: SharedQueue, client: LoggingClient, options: ListenerOptions) {
    super(queue, client, options);
    // Sleeps until notified, however long: without the recheck the lost notify is never recovered.
    this.idleRecheckMs = Infinity;
  }
}

export { SilentQueue as queue, TrustingListener as listener };

export default referenceAdapter({
  name: 'reference-bug-lost-wakeup',
  description: 'seeded defect: the queue never notifies the listener, which sleeps on its condition forever with records queued',
  variant: import.meta.url,
});
