/**
 * reference: the bundled reference logger (adapters/reference/), configured the way the seeds
 * recommend: producers append to one bounded shared queue, a listener thread writes batches to
 * the run's file through logjam's sink, drops are counted, shutdown drains.
 */

import { referenceAdapter } from './kit.js';

export default referenceAdapter({
  name: 'reference',
  description: 'the reference logger: QueueHandler → bounded shared queue → listener thread → file (ndjson), overflow counted',
});
