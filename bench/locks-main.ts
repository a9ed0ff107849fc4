/**
 * The lock bench in a process of its own (`npm run bench` spawns it): nanosecond figures taken
 * after the ledger bench in the same process ran 1.3x to 1.4x slower in some runs, the
 * uninstrumented Mutex and the baseline too (that heap's garbage collection, presumably, on the
 * other core of two), so one run's ratio said 1.85x where the runs on either side said 1.48x.
 */

import { benchLocks, printLocks, writeLocks } from './locks.js';

const locks = await benchLocks();
printLocks(locks);
writeLocks(locks);
console.log('written: bench-results-locks.json');
