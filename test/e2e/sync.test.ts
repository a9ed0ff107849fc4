/**
 * The synchronisation primitives across real worker threads, outside the harness (their plain
 * paths; the instrumented paths are exercised through runs in watchdog.test.ts). Threads are
 * put into known states with shared-memory flags, never sleeps.
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type * as Sync from '../../harness/sync/locks.js';
import { FIXTURES, ROOT } from './helpers.js';

const syncUrl = pathToFileURL(join(ROOT, 'dist', 'harness', 'sync', 'locks.js')).href;
const { Condition, LockError, Mutex, RwLock, Semaphore } = (await import(syncUrl)) as typeof Sync;

function start(op: string, data: Record<string, unknown>): { worker: Worker; flags: Int32Array; done: Promise<void> } {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(join(FIXTURES, 'workers', 'sync-ops.mjs'), { workerData: { op, syncUrl, flags: flags.buffer, ...data } });
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', () => resolve());
    worker.on('error', reject);
  });
  return { worker, flags, done };
}

function awaitFlag(flags: Int32Array, i: number): void {
  const until = Date.now() + 10_000;
  while (Atomics.load(flags, i) === 0 && Date.now() < until) Atomics.wait(flags, i, 0, 50);
  expect(Atomics.load(flags, i), `flag ${i} set within 10 s`).toBe(1);
}

describe('Mutex', () => {
  it('keeps every non-atomic increment of three threads contending for it', async () => {
    const mutex = Mutex.create('test.count');
    const counter = new SharedArrayBuffer(4);
    const times = 20_000;
    const workers = [0, 1].map(() => start('count', { lock: mutex.handle, counter, times }));
    const view = new Int32Array(counter);
    for (let i = 0; i < times; i++) mutex.with(() => (view[0] = (view[0] as number) + 1));
    await Promise.all(workers.map((w) => w.done));
    expect(view[0]).toBe(3 * times);
  });

  it('times out a tryLock while another thread holds it, and takes it once released', async () => {
    const mutex = Mutex.create('test.hold');
    const { flags, done } = start('hold', { lock: mutex.handle });
    awaitFlag(flags, 0);
    expect(mutex.tryLock(0)).toBe(false);
    expect(mutex.tryLock(20)).toBe(false);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    expect(mutex.tryLock(10_000)).toBe(true);
    mutex.unlock();
    await done;
  });

  it('throws a LockError instead of waiting forever when a thread takes a non-reentrant lock twice', () => {
    const mutex = Mutex.create('test.once');
    mutex.lock();
    expect(() => mutex.lock()).toThrow(LockError);
    mutex.unlock();
    expect(mutex.held).toBe(false);
  });

  it('counts a reentrant lock taken twice and frees it at the second unlock', () => {
    const mutex = Mutex.create('test.rlock', { reentrant: true });
    mutex.lock();
    mutex.lock();
    mutex.unlock();
    expect(mutex.held).toBe(true);
    mutex.unlock();
    expect(mutex.held).toBe(false);
  });

  it('refuses an unlock by a thread that does not hold it', () => {
    expect(() => Mutex.create('test.free').unlock()).toThrow(/does not hold it/);
  });

  it('says what a lock class name must be', () => {
    expect(() => Mutex.create('')).toThrow(/Expected a lock class name/);
  });
});

describe('Condition', () => {
  it('wakes a waiting thread, which sees the state set under the mutex', async () => {
    const mutex = Mutex.create('test.cv-mutex');
    const condition = Condition.create('test.cv');
    const state = new SharedArrayBuffer(4);
    const { flags, done } = start('wait-condition', { lock: mutex.handle, condition: condition.handle, counter: state });
    awaitFlag(flags, 0);
    mutex.with(() => {
      new Int32Array(state)[0] = 1;
      condition.notifyAll();
    });
    await done;
  });

  it('answers false when nobody notifies within the timeout', () => {
    const mutex = Mutex.create('test.cv-mutex');
    const condition = Condition.create('test.cv');
    mutex.lock();
    expect(condition.wait(mutex, 5)).toBe(false);
    expect(mutex.held).toBe(true);
    mutex.unlock();
  });
});

describe('Semaphore and RwLock', () => {
  it('hands out exactly its permits', () => {
    const s = Semaphore.create('test.sem', 2);
    expect(s.acquire(0)).toBe(true);
    expect(s.acquire(0)).toBe(true);
    expect(s.acquire(5)).toBe(false);
    s.release();
    expect(s.acquire(0)).toBe(true);
  });

  it('shares a read lock between threads and keeps a writer out until the readers leave', async () => {
    const rw = RwLock.create('test.rw');
    const { flags, done } = start('read-hold', { lock: rw.handle });
    awaitFlag(flags, 0);
    expect(rw.readLock(0)).toBe(true); // a second reader while the worker reads
    rw.readUnlock();
    expect(rw.writeLock(5)).toBe(false);
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    expect(rw.writeLock(10_000)).toBe(true);
    expect(rw.readLock(0)).toBe(false);
    rw.writeUnlock();
    await done;
  });
});
