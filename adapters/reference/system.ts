/**
 * `configure()`: applies a configuration once per process, in the thread that owns logging
 * (usually the main thread): allocates the shared queue, shares it with every worker thread
 * started afterwards, starts the listener thread, and installs the exit hook that drains the
 * queue within a bound at `process.exit()` and at natural exit.
 *
 * The listener thread is unref'd: it never keeps the process alive. At natural exit and at
 * `process.exit()`, Node runs 'exit' listeners before it ends worker threads, and the hook
 * waits there (Atomics, bounded) while the listener drains.
 */

import { EventEmitter } from 'node:events';
import { getEnvironmentData, MessageChannel, setEnvironmentData, Worker, type MessagePort } from 'node:worker_threads';
import { Mutex } from '../../harness/sync/locks.js';
import { validateConfig, type HandlerConfig, type LoggingConfig, type WritableTarget } from './config.js';
import { PORT_POSTED } from './handlers.js';
import { levelValue } from './levels.js';
import type { ListenerMessage, ListenerRequest, ListenerVariant } from './listener.js';
import type { ListenerData } from './listener-worker.js';
import { configuredLevels, createClient, ENV_KEY, installClient, loadVariant, type LoggingClient, type SharedSetup } from './logger.js';
import { LISTENER_DEAD, LISTENER_STOPPED, SharedQueue, type DropCounts, type DropListener } from './queue.js';

/** Extension point: a variant module may export a LoggingSystem subclass as `system`. */
export interface SystemVariant extends ListenerVariant {
  readonly system?: new (client: LoggingClient, worker: Worker, port: MessagePort, config: LoggingConfig) => LoggingSystem;
}

const START_MS = 10_000;

/**
 * The configuring thread's end of a `writable` handler: writes each batch the listener posts
 * into the application's stream, in order, and counts the writes whose callbacks have fired.
 */
class StreamPump {
  readonly stream: WritableTarget;
  readonly #posted: Int32Array;
  #written = 0;
  error: Error | undefined;
  /** Writes the stream failed (thrown or called back with an error); their batches are lost. */
  failedWrites = 0;
  readonly #waiters = new Set<() => void>();

  constructor(stream: WritableTarget, port: MessagePort, counters: SharedArrayBuffer) {
    this.stream = stream;
    this.#posted = new Int32Array(counters);
    const done = (failed: boolean): void => {
      if (failed) this.failedWrites++;
      this.#written++;
      for (const wake of this.#waiters) wake();
    };
    port.on('message', (text: string) => {
      // A write the stream fails (its callback's error, or a throw out of write()) loses that
      // batch, which the stream's owner was told of; the next batch goes to the stream again
      // (recovering-sink), and a flush waits for it like any other.
      try {
        stream.write(text, (error) => done(error !== null && error !== undefined));
      } catch {
        done(true);
      }
    });
    // Never what keeps the process alive: flushAsync() and stopAsync() hold it while they wait.
    port.unref();
  }

  /** Resolves true once every batch posted so far has been written (its callback fired), false at the deadline. */
  async drained(deadline: number): Promise<boolean> {
    const target = Atomics.load(this.#posted, PORT_POSTED);
    while (this.#written < target) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        // A ref'd timer: the listener and the port are unref'd, and this wait must hold the process.
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
    return this.error === undefined;
  }

  /** Ends the stream and resolves true once it has finished, false at the deadline or on its error. */
  end(deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
      this.stream.once('error', (error) => {
        this.error ??= error;
        clearTimeout(timer);
        resolve(false);
      });
      this.stream.end(() => {
        clearTimeout(timer);
        resolve(this.error === undefined);
      });
    });
  }
}

/**
 * Turns each `writable` handler of `config` into a `port` handler for the listener, with the
 * pump that writes its batches in this thread and the ports to transfer.
 */
function withPorts(config: LoggingConfig): { config: LoggingConfig; pumps: StreamPump[]; transfer: MessagePort[] } {
  const pumps: StreamPump[] = [];
  const transfer: MessagePort[] = [];
  const handlers: Record<string, HandlerConfig> = {};
  for (const [name, spec] of Object.entries(config.handlers ?? {})) {
    if (spec.type !== 'writable') {
      handlers[name] = spec;
      continue;
    }
    const { port1, port2 } = new MessageChannel();
    const counters = new SharedArrayBuffer(4);
    pumps.push(new StreamPump(spec.stream, port1, counters));
    transfer.push(port2);
    // Level, formatter and filters carry over; the stream stays in this thread.
    const { type, stream, ...common } = spec;
    handlers[name] = { ...common, type: 'port', port: port2, counters };
  }
  return { config: pumps.length === 0 ? config : { ...config, handlers }, pumps, transfer };
}

/** The configured process's logging, in the thread that configured it. Emits 'drop' (total). */
export class LoggingSystem extends EventEmitter<{ drop: [total: number]; error: [error: Error] }> {
  readonly client: LoggingClient;
  readonly worker: Worker;
  readonly #port: MessagePort;
  readonly exitDrainMs: number;
  readonly timeoutMs: number;
  #stopped: boolean | undefined;
  /** The pumps of every `writable` handler configured so far (swapped-out ones may still hold writes). */
  readonly #pumps: StreamPump[] = [];
  readonly #exitHook = (): void => {
    try {
      this.onExit();
    } catch {
      // An error thrown out of an exit listener would end the process on the spot.
    }
  };

  constructor(client: LoggingClient, worker: Worker, port: MessagePort, config: LoggingConfig) {
    super();
    this.client = client;
    this.worker = worker;
    this.#port = port;
    this.exitDrainMs = config.shutdown?.exitDrainMs ?? 3000;
    this.timeoutMs = config.shutdown?.timeoutMs ?? 5000;
    process.on('exit', this.#exitHook);
    worker.on('message', (m: ListenerMessage) => {
      if (m.type === 'dropped') this.emit('drop', m.total);
      else if (m.type === 'failed' || m.type === 'swap-failed') this.#fail(new Error(m.message));
    });
    // When: the listener thread threw out of its loop (a bug), or ran out of memory.
    worker.on('error', (error) => this.#fail(error));
    // When: the listener thread ended. Ended without stopping (terminated, or died), it can
    // write nothing more: flushers and stop() are told at once instead of waiting their bound.
    // Records logged from then on are refused and counted as drops, as after stop().
    worker.on('exit', () => {
      if (this.queue.listenerState === LISTENER_STOPPED) return;
      this.queue.setListenerState(LISTENER_DEAD);
      this.queue.stop(0);
    });
    // Listening on the worker refs its port again: unref after the listeners are on.
    worker.unref();
  }

  #fail(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.stderr.write(`reference logger: ${error.message}\n`);
  }

  get queue(): SharedQueue {
    return this.client.queue;
  }

  /** Drop counts by level since configuration, across every thread. */
  dropped(): DropCounts {
    return this.queue.dropped();
  }

  /** Called in this thread for each record this thread's appends drop. */
  onDrop(listener: DropListener): () => void {
    return this.client.onDrop(listener);
  }

  /** Waits (bounded) until every record accepted so far is written and the handlers are flushed. */
  flush(timeoutMs = this.timeoutMs): boolean {
    return this.client.flush(timeoutMs);
  }

  /** Called by configure() and reconfigure() with the pumps of the `writable` handlers they set up. */
  addPumps(pumps: readonly StreamPump[]): void {
    this.#pumps.push(...pumps);
  }

  /**
   * flush(), then waits, without blocking this thread, until the `writable` handlers' streams
   * have completed every write holding those records. Resolves false at the deadline or when a
   * stream failed a write.
   */
  async flushAsync(timeoutMs = this.timeoutMs): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    if (!this.flush(timeoutMs)) return false;
    let ok = true;
    for (const pump of this.#pumps) ok = (await pump.drained(deadline)) && ok;
    return ok;
  }

  /** stop(), then waits for the `writable` handlers' streams to complete every write, and ends them. */
  async stopAsync(timeoutMs = this.timeoutMs): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    let ok = this.stop(timeoutMs);
    for (const pump of this.#pumps) ok = (await pump.drained(deadline)) && ok;
    for (const pump of this.#pumps.splice(0)) ok = (await pump.end(deadline)) && ok;
    return ok;
  }

  /**
   * Refuses further records (counted as dropped), drains the queue, flushes and closes the
   * handlers, and ends the listener thread; waits at most `timeoutMs`. Idempotent.
   */
  stop(timeoutMs = this.timeoutMs): boolean {
    if (this.#stopped === true) return true;
    this.#stopped = this.queue.stop(timeoutMs);
    if (this.#stopped) process.off('exit', this.#exitHook);
    return this.#stopped;
  }

  get stopped(): boolean {
    return this.#stopped === true;
  }

  /**
   * Swaps the listener's handlers (and routing, formatters, filters) for those of `config`,
   * while logging goes on: no record is lost or written twice. Logger levels and the queue
   * stay as configured. Resolves once the listener has applied it.
   */
  async reconfigure(input: LoggingConfig, timeoutMs = this.timeoutMs): Promise<void> {
    validateConfig(input);
    const { config, pumps, transfer } = withPorts(input);
    this.addPumps(pumps);
    const request: ListenerRequest = { type: 'swap', config };
    // The message is in the listener's port before the control word moves.
    this.#port.postMessage(request, transfer);
    const n = this.queue.postControl();
    const { words, index } = this.queue.controlAck;
    const deadline = performance.now() + timeoutMs;
    // Atomics.waitAsync does not keep the event loop alive, and the listener thread is unref'd:
    // without a ref'd timer the process could end while this waits.
    const keepAlive = setTimeout(() => undefined, timeoutMs);
    try {
      for (;;) {
        const seen = Atomics.load(words, index);
        if (seen >= n) return;
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`The listener did not apply the new configuration within ${timeoutMs} ms`);
        const waited = Atomics.waitAsync(words, index, seen, left);
        if (waited.async) await waited.value;
      }
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /** At process exit: drain within `exitDrainMs`. */
  protected onExit(): void {
    this.stop(this.exitDrainMs);
  }
}

let active: LoggingSystem | undefined;

/**
 * Configures logging for the whole process from a declarative configuration (validated first;
 * a ConfigError lists every problem). Call once, in the thread that owns logging, before
 * starting the worker threads that log.
 */
export async function configure(input: LoggingConfig): Promise<LoggingSystem> {
  const config = validateConfig(input);
  if (active !== undefined && !active.stopped) {
    throw new Error('Logging is already configured in this process: call `stop()` on the current system first, or `reconfigure()` it');
  }
  if (getEnvironmentData(ENV_KEY) !== undefined && active === undefined) {
    throw new Error('Logging was configured by another thread of this process: configure it once, in the thread that owns logging');
  }
  const variant = config.variant !== undefined ? ((await loadVariant(config.variant)) as SystemVariant) : undefined;
  const queue = SharedQueue.allocate(config.queue?.capacity !== undefined ? { capacity: config.queue.capacity } : {});
  const setup: SharedSetup = {
    queue,
    registry: Mutex.create('reference.registry').handle,
    rootLevel: levelValue(config.root?.level ?? 'info'),
    levels: configuredLevels(config.loggers),
    flushMs: config.shutdown?.timeoutMs ?? 5000,
    ...(config.variant !== undefined ? { variant: config.variant } : {}),
  };
  setEnvironmentData(ENV_KEY, setup);
  const client = createClient(setup, variant);
  installClient(client, variant);

  const listenerSide = withPorts(config);
  const { port1, port2 } = new MessageChannel();
  const data: ListenerData = { setup, config: listenerSide.config, port: port2 };
  const worker = new Worker(new URL('./listener-worker.js', import.meta.url), { workerData: data, transferList: [port2, ...listenerSide.transfer] });
  // The listener must never keep the process alive: the exit hook drains it instead.
  worker.unref();
  port1.unref();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`The listener thread did not start within ${START_MS} ms`)), START_MS);
    const onMessage = (m: ListenerMessage): void => {
      if (m.type === 'ready') finish();
      else if (m.type === 'failed') finish(new Error(`The listener thread could not start: ${m.message}`));
    };
    const onError = (error: Error): void => finish(error);
    const onExit = (code: number): void => finish(new Error(`The listener thread exited with code ${code} while starting`));
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (error === undefined) {
        resolve();
      } else {
        setEnvironmentData(ENV_KEY, undefined);
        void worker.terminate();
        reject(error);
      }
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  const System = variant?.system ?? LoggingSystem;
  active = new System(client, worker, port1, config);
  active.addPumps(listenerSide.pumps);
  return active;
}
