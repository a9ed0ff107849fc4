/**
 * The real `Atomics.wait` and `Atomics.notify`, captured when this module first loads, before
 * the sync runtime interposes on them. The harness's own waits (the event channel, the
 * primitives in sync.ts) use these, so they are never reported as a logger's raw waits and
 * never recurse into the interposer.
 */

export const rawWait: typeof Atomics.wait = Atomics.wait.bind(Atomics);
export const rawNotify: typeof Atomics.notify = Atomics.notify.bind(Atomics);
