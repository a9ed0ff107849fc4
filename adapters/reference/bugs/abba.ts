/**
 * reference-bug-abba: the listener holds the registry lock while it calls the handlers, as
 * LogXide's first emit_record held its handler-list mutex across `Python::attach` (seeds: "The
 * Deadlock War Story"). Rule broken: never hold a lock while calling handler code; copy the
 * handler list, release, then call.
 *
 * Under lock-inversion the handler's sink takes the interpreter lock (registry → interpreter on
 * the listener thread) while producers hold the interpreter lock around a log call, whose
 * getLogger takes the registry lock (interpreter → registry): the ABBA cycle, and a deadlock
 * whenever both sides meet.
 */

import { referenceAdapter } from '../kit.js';
import { Listener } from '../listener.js';
import type { RecordBatch } from '../record.js';

class HoldingListener extends Listener {
  protected override dispatch(batch: RecordBatch): void {
    // BUG: the handlers run inside the registry lock.
    this.client.registry.lock();
    try {
      this.callHandlers(this.table, batch);
    } finally {
      this.client.registry.unlock();
    }
  }
}

export { HoldingListener as listener };

export default referenceAdapter({
  name: 'reference-bug-abba',
  description: 'seeded defect: the listener holds the registry lock while calling handlers whose sink takes the interpreter lock (registry → interpreter vs interpreter → registry)',
  variant: import.meta.url,
});
