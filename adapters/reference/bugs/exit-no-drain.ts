/**
 * reference-bug-exit-no-drain: nothing drains the queue at process exit. Whatever the listener
 * had not written when `process.exit()` ran is lost with the thread. Rule broken: at normal
 * exit and at process.exit() the queue is drained within a bound.
 *
 * A sink that takes 20 ms per batch of 64 makes sure the listener lags behind at exit in every
 * run (process.exit() tears the process down in a few milliseconds).
 */

import { referenceAdapter } from '../kit.js';
import { LoggingSystem } from '../system.js';
import { withSlowSink } from './slow-sink.js';

class NoDrainSystem extends LoggingSystem {
  protected override onExit(): void {
    // BUG: no drain at exit.
  }
}

export { NoDrainSystem as system };

export default referenceAdapter({
  name: 'reference-bug-exit-no-drain',
  description: 'seeded defect: no drain at process exit; records still queued are lost',
  variant: import.meta.url,
  tune: (config, ctx) => ({ ...withSlowSink(config, ctx, 20), listener: { ...config.listener, batchRecords: 64 } }),
});
