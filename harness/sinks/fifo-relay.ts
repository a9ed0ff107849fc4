/**
 * A named pipe as a run's sink (torn-lines): the loggers write to a FIFO, and a relay thread
 * (harness/sinks/fifo-relay-worker.ts) copies every byte it reads from it into the sink file the
 * ledger reads, unchanged, so whatever interleaving the pipe produced is what the ledger sees.
 *
 * `close()` writes an end marker once every logger is done (shorter than PIPE_BUF, so it is one
 * atomic write that lands after everything written before it); the relay ends when it reads
 * it. Owned by torn-lines; sink scenarios that need a FIFO keep their own helpers.
 */

import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

/** The relay's end marker; never a record (records carry an `lj:` marker). */
export const FIFO_END = '\n#logjam-fifo-relay-end#\n';

export type FifoRelayMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'drained'; readonly bytes: number; readonly reads: number }
  | { readonly type: 'failed'; readonly message: string };

export interface FifoRelayStats {
  readonly bytes: number;
  /** Reads the relay made: the pipe's own chunking of what the writers wrote. */
  readonly reads: number;
  /** Whether the end marker arrived within the close bound. */
  readonly drained: boolean;
  readonly error?: string;
}

const START_MS = 10_000;

export class FifoRelay {
  readonly path: string;
  readonly #worker: Worker;
  readonly #drained: Promise<FifoRelayStats>;
  #error: string | undefined;

  private constructor(path: string, worker: Worker) {
    this.path = path;
    this.#worker = worker;
    this.#drained = new Promise((resolve) => {
      worker.on('message', (m: FifoRelayMessage) => {
        if (m.type === 'failed') this.#error = m.message;
        if (m.type === 'drained') resolve({ bytes: m.bytes, reads: m.reads, drained: true, ...(this.#error !== undefined ? { error: this.#error } : {}) });
      });
    });
  }

  /** Makes the FIFO at `path` (mkfifo) and starts a relay thread copying it into `sinkFile`. */
  static async start(path: string, sinkFile: string): Promise<FifoRelay> {
    const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new Error(`Expected \`mkfifo ${path}\` (coreutils) to make a named pipe for torn-lines' pipe sink, got ${made.error?.message ?? made.stderr.trim()}`);
    }
    const worker = new Worker(new URL('./fifo-relay-worker.js', import.meta.url), { workerData: { path, sinkFile } });
    worker.unref();
    const relay = new FifoRelay(path, worker);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`the FIFO relay thread did not start within ${START_MS} ms`)), START_MS);
      const onMessage = (m: FifoRelayMessage): void => {
        if (m.type === 'ready') finish();
      };
      const onError = (error: Error): void => finish(error);
      function finish(error?: Error): void {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError);
        if (error === undefined) resolve();
        else reject(error);
      }
      worker.on('message', onMessage).on('error', onError);
    });
    return relay;
  }

  /** After every writer is done: marks the end, waits (bounded by `ms`) until the relay copied everything. */
  async close(ms: number): Promise<FifoRelayStats> {
    const by = performance.now() + ms;
    const writer = openSync(this.path, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      // The pipe may still be full while the relay drains it: retry until there is room.
      for (;;) {
        try {
          writeSync(writer, FIFO_END);
          break;
        } catch (error: unknown) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || performance.now() > by) throw error;
          await delay(1);
        }
      }
    } finally {
      closeSync(writer);
    }
    let timer: NodeJS.Timeout | undefined;
    const stats = await Promise.race([
      this.#drained,
      new Promise<FifoRelayStats>((resolve) => {
        timer = setTimeout(() => resolve({ bytes: 0, reads: 0, drained: false }), Math.max(1, by - performance.now()));
      }),
    ]);
    clearTimeout(timer);
    if (!stats.drained) await this.#worker.terminate();
    return stats;
  }
}
