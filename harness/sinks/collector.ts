/**
 * The run's loopback collector, seen from the run's main thread: a TCP one for every run of an
 * adapter that declares `capabilities.tcp` (tcp-collector starts it with faults), an HTTP one
 * for `capabilities.http` (http-collector). It writes every record it receives to the sink file
 * the ledger reads. The server itself runs on its own thread (collector-worker.ts,
 * http-collector-worker.ts): a logger's shutdown may block this thread while it still needs the
 * collector to read and acknowledge.
 */

import { Worker } from 'node:worker_threads';
import type { CollectorAddress, HttpBody } from '../contract/adapter.js';
import type { CollectorFaults, CollectorStats, HttpCollectorFaults, HttpCollectorStats } from '../contract/sink-spec.js';
export type { CollectorFaults, CollectorStats, HttpCollectorFaults, HttpCollectorStats };

/** Main thread → collector thread. */
export type CollectorCommand = { readonly type: 'close'; readonly ms: number };

/** Collector thread → main thread. */
export type CollectorMessage =
  | { readonly type: 'listening'; readonly address: CollectorAddress }
  | { readonly type: 'closed'; readonly stats: CollectorStats | HttpCollectorStats }
  | { readonly type: 'failed'; readonly message: string }
  /** Its connections and the logger's ends of them near the process's open-file limit (fd-limit.ts). */
  | { readonly type: 'fd-shared'; readonly connections: number; readonly limit: number | undefined };

/** What a collector saw that leaves the run unjudgeable: the process's file descriptors, shared with the logger. */
export interface FdShared {
  readonly connections: number;
  /** The process's open-file limit, where the OS says. */
  readonly limit: number | undefined;
}

const START_MS = 10_000;

export class Collector<F = CollectorFaults, S = CollectorStats> {
  readonly address: CollectorAddress;
  readonly faults: F;
  readonly #worker: Worker;
  #closing: Promise<S | undefined> | undefined;
  #failure: string | undefined;

  private constructor(worker: Worker, address: CollectorAddress, faults: F, onFdShared?: (seen: FdShared) => void) {
    this.#worker = worker;
    this.address = address;
    this.faults = faults;
    // When: the collector could not listen again after its refusal window.
    worker.on('message', (m: CollectorMessage) => {
      if (m.type === 'failed') this.#failure = m.message;
      // The worker says it once.
      if (m.type === 'fd-shared') onFdShared?.({ connections: m.connections, limit: m.limit });
    });
    // A 'message' listener refs the worker's port again: the collector must never be what keeps
    // the run's process alive (natural-exit leaves it receiving until the process ends).
    worker.unref();
  }

  /** Starts a TCP collector thread writing to `file`; resolves once it listens (or knows its port). */
  static start(file: string, faults: CollectorFaults = {}): Promise<Collector> {
    return Collector.#start(new URL('./collector-worker.js', import.meta.url), file, faults);
  }

  /**
   * Starts an HTTP collector thread writing to `file`, reading request bodies as `body` says
   * (the adapter's `capabilities.httpBody`); resolves once it listens. `onFdShared` is called
   * once if its connections come near the process's open-file limit (fd-limit.ts): the
   * logger's ends and the collector's share one process.
   */
  static startHttp(
    file: string,
    faults: HttpCollectorFaults = {},
    body: HttpBody = 'ndjson',
    onFdShared?: (seen: FdShared) => void,
  ): Promise<Collector<HttpCollectorFaults, HttpCollectorStats>> {
    return Collector.#start(new URL('./http-collector-worker.js', import.meta.url), file, faults, { body }, onFdShared);
  }

  static async #start<F, S>(
    entry: URL,
    file: string,
    faults: F,
    extra: Readonly<Record<string, unknown>> = {},
    onFdShared?: (seen: FdShared) => void,
  ): Promise<Collector<F, S>> {
    const worker = new Worker(entry, { workerData: { file, faults, ...extra } });
    // The collector never keeps the run's process alive: the logger under test might.
    worker.unref();
    const address = await new Promise<CollectorAddress>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`the collector thread did not start within ${START_MS} ms`)), START_MS);
      const onMessage = (m: CollectorMessage): void => {
        if (m.type === 'listening') finish(undefined, m.address);
        else if (m.type === 'failed') finish(new Error(`the collector could not start: ${m.message}`));
      };
      const onError = (error: Error): void => finish(error);
      function finish(error?: Error, address?: CollectorAddress): void {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError);
        if (error !== undefined || address === undefined) {
          void worker.terminate();
          reject(error ?? new Error('the collector thread answered no address: this is a harness bug'));
        } else {
          resolve(address);
        }
      }
      worker.on('message', onMessage).on('error', onError);
    });
    return new Collector<F, S>(worker, address, faults, onFdShared);
  }

  /** A failure the collector met after it started (it could not listen again), if any. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /**
   * Stops accepting, gives clients up to `ms` to end their connections (what arrives is still
   * written), closes the sink file and ends the thread. Answers what it saw; undefined if the
   * thread did not answer within the bound (it is then terminated).
   */
  close(ms = 2000): Promise<S | undefined> {
    this.#closing ??= new Promise<S | undefined>((resolve) => {
      // Ref'd on purpose: the caller awaits this, and the thread itself is unref'd.
      const timer = setTimeout(() => {
        void this.#worker.terminate();
        resolve(undefined);
      }, ms + 1000);
      this.#worker.on('message', (m: CollectorMessage) => {
        if (m.type !== 'closed') return;
        clearTimeout(timer);
        // The worker this collector started answers its own kind of stats.
        resolve(m.stats as S);
      });
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      const command: CollectorCommand = { type: 'close', ms };
      this.#worker.postMessage(command);
    });
    return this.#closing;
  }
}
