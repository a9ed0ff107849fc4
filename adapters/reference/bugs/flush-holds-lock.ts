/**
 * reference-bug-flush-holds-lock: flush() holds the registry lock (so that no logger is created
 * or reconfigured mid-flush) while it blocks until the listener has written everything; the
 * listener needs that lock to copy its handler table before it can write anything. Rule
 * broken: never hold a lock across a blocking wait or blocking I/O.
 *
 * The flusher waits with a deadline, so the process recovers when it passes; until then every
 * producer (whose getLogger needs the registry lock) and the listener are stuck: a hang.
 */

import { referenceAdapter } from '../kit.js';
import { LoggingClient } from '../logger.js';

class LockedFlushClient extends LoggingClient {
  override flush(timeoutMs = this.flushMs): boolean {
    // BUG: the registry lock is held across the wait for the listener.
    this.registry.lock();
    try {
      return super.flush(timeoutMs);
    } finally {
      this.registry.unlock();
    }
  }
}

export { LockedFlushClient as client };

export default referenceAdapter({
  name: 'reference-bug-flush-holds-lock',
  description: 'seeded defect: flush() holds the registry lock while waiting for the listener, which needs it to copy its handler table',
  variant: import.meta.url,
});
