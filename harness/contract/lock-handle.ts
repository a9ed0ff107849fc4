/**
 * What crosses a thread boundary for an instrumented lock (harness/sync/locks.ts): plain data
 * that structured-clones into postMessage or workerData.
 */

/** What crosses a thread boundary: the lock's words and what it is. */
export interface LockHandle {
  readonly buffer: SharedArrayBuffer;
  /** Index of the lock's first word in an Int32Array over `buffer`. */
  readonly index: number;
  readonly className: string;
}

export interface MutexOptions {
  /** The holder may take it again (Python's RLock, a handler's lock). @default false */
  readonly reentrant?: boolean;
}
