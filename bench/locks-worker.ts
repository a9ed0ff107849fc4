/** One contending thread for bench/locks.ts. */

import { workerData } from 'node:worker_threads';
import { Mutex, type LockHandle } from '../harness/sync/locks.js';
import { PlainMutex } from './plain-mutex.js';

const data = workerData as { kind: 'plain' | 'instrumented'; lock: SharedArrayBuffer | LockHandle; counter: SharedArrayBuffer; gate: SharedArrayBuffer; ops: number };
const lock = data.kind === 'plain' ? new PlainMutex(data.lock as SharedArrayBuffer) : Mutex.from(data.lock as LockHandle);
const counter = new Int32Array(data.counter);
const gate = new Int32Array(data.gate);
Atomics.add(gate, 0, 1);
Atomics.wait(gate, 1, 0, 10_000);
for (let i = 0; i < data.ops; i++) {
  lock.lock();
  counter[0] = (counter[0] as number) + 1;
  lock.unlock();
}
