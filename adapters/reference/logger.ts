/**
 * The producing side, in every thread: named loggers in a dotted hierarchy, the level check,
 * context capture, and the QueueHandler step (one append to the shared queue).
 *
 * A thread finds the process's logging through worker environment data set by `configure()` in
 * the thread that configured it, so any worker thread started afterwards logs into the same
 * queue. `getLogger()` works at once in such a thread; when the configuration names a variant
 * module, `await connect()` first so that thread loads it.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { getEnvironmentData } from 'node:worker_threads';
import { Mutex, type LockHandle } from '../../harness/sync/locks.js';
import { ERROR, isLevelName, levelValue, type LevelName } from './levels.js';
import { SharedQueue, type DropListener, type QueueHandle } from './queue.js';

export const ENV_KEY = 'logjam.reference';

/** What `configure()` leaves in environment data for every thread started afterwards. */
export interface SharedSetup {
  readonly queue: QueueHandle;
  readonly registry: LockHandle;
  /** Configured levels: the root's, and each named logger's. */
  readonly rootLevel: number;
  readonly levels: readonly (readonly [string, number])[];
  readonly variant?: string;
  readonly flushMs: number;
}

/** Replacement components a variant module exports (the seeded-defect extension point). */
export interface Variant {
  readonly queue?: new (handle: QueueHandle) => SharedQueue;
  readonly client?: new (setup: SharedSetup, queue: SharedQueue) => LoggingClient;
}

/** Trace context: fields set here on the producing side travel with every record logged inside. */
export const contextStorage = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();

/** Runs `fn` with `fields` added to the trace context (AsyncLocalStorage), across awaits. */
export function withContext<T>(fields: Readonly<Record<string, unknown>>, fn: () => T): T {
  const outer = contextStorage.getStore();
  return contextStorage.run(outer === undefined ? fields : { ...outer, ...fields }, fn);
}

/** Where this thread's records go: the queue, or (in the listener thread) straight to handlers. */
export type RecordSink = (level: number, time: number, name: string, message: string, fields: string, context: string, error: string) => void;

/**
 * One thread's logging: its logger registry and its view of the shared queue. Extension
 * point: a variant module may export a subclass as `client`.
 */
export class LoggingClient {
  readonly queue: SharedQueue;
  /** `reference.registry`: guards logger creation; the listener guards its handler table with it. */
  readonly registry: Mutex;
  readonly flushMs: number;
  sink: RecordSink;
  readonly #loggers = new Map<string, Logger>();
  readonly #configured: Map<string, number>;
  readonly #rootLevel: number;

  constructor(setup: SharedSetup, queue: SharedQueue) {
    this.queue = queue;
    this.registry = Mutex.from(setup.registry);
    this.flushMs = setup.flushMs;
    this.#configured = new Map(setup.levels);
    this.#rootLevel = setup.rootLevel;
    this.sink = (level, time, name, message, fields, context, error) => {
      queue.append(level, time, name, message, fields, context, error);
    };
  }

  /**
   * The logger named `name` (dotted; `''` is the root), created on first use. Takes the
   * registry lock, as Python's getLogger takes the module lock: hold on to a logger in hot
   * paths. Nothing else is ever taken while holding it.
   */
  getLogger(name = ''): Logger {
    this.registry.lock();
    try {
      let logger = this.#loggers.get(name);
      if (logger === undefined) {
        logger = new Logger(this, name, name === '' ? (this.#configured.get('') ?? this.#rootLevel) : this.#configured.get(name));
        this.#loggers.set(name, logger);
      }
      return logger;
    } finally {
      this.registry.unlock();
    }
  }

  /** The level a logger without its own takes: its nearest configured ancestor's. */
  inheritedLevel(name: string): number {
    let at = name;
    while (at !== '') {
      const dot = at.lastIndexOf('.');
      at = dot < 0 ? '' : at.slice(0, dot);
      const own = at === '' ? undefined : (this.#loggers.get(at)?.ownLevel ?? this.#configured.get(at));
      if (own !== undefined) return own;
    }
    return this.#loggers.get('')?.ownLevel ?? this.#rootLevel;
  }

  /** After a setLevel: every logger of this thread recomputes its threshold. */
  refreshLevels(): void {
    for (const logger of this.#loggers.values()) logger.refresh();
  }

  /** Waits until every record accepted so far is written and handlers flushed. */
  flush(timeoutMs = this.flushMs): boolean {
    return this.queue.flush(timeoutMs);
  }

  onDrop(listener: DropListener): () => void {
    return this.queue.onDrop(listener);
  }
}

export type Extra = Readonly<Record<string, unknown>> | Error;

export class Logger {
  readonly name: string;
  readonly #client: LoggingClient;
  #own: number | undefined;
  /** The effective level: a call below it returns after this one comparison. */
  #threshold: number;

  constructor(client: LoggingClient, name: string, own: number | undefined) {
    this.#client = client;
    this.name = name;
    this.#own = own;
    this.#threshold = own ?? client.inheritedLevel(name);
  }

  get ownLevel(): number | undefined {
    return this.#own;
  }

  get level(): number {
    return this.#threshold;
  }

  /** Sets this logger's level in this thread; descendants without their own follow it. */
  setLevel(level: LevelName | number | undefined): void {
    this.#own = typeof level === 'string' ? levelValue(level) : level;
    this.#client.refreshLevels();
  }

  refresh(): void {
    this.#threshold = this.#own ?? this.#client.inheritedLevel(this.name);
  }

  isEnabledFor(level: number): boolean {
    return level >= this.#threshold;
  }

  getChild(suffix: string): Logger {
    return this.#client.getLogger(this.name === '' ? suffix : `${this.name}.${suffix}`);
  }

  debug(message: string, extra?: Extra): void {
    if (10 >= this.#threshold) this.#emit(10, message, extra);
  }

  info(message: string, extra?: Extra): void {
    if (20 >= this.#threshold) this.#emit(20, message, extra);
  }

  warn(message: string, extra?: Extra): void {
    if (30 >= this.#threshold) this.#emit(30, message, extra);
  }

  error(message: string, extra?: Extra): void {
    if (40 >= this.#threshold) this.#emit(40, message, extra);
  }

  fatal(message: string, extra?: Extra): void {
    if (50 >= this.#threshold) this.#emit(50, message, extra);
  }

  log(level: LevelName | number, message: string, extra?: Extra): void {
    const value = typeof level === 'number' ? level : isLevelName(level) ? levelValue(level) : ERROR;
    if (value >= this.#threshold) this.#emit(value, message, extra);
  }

  /**
   * Captures everything thread-bound now, on the producing side: time, structured fields,
   * the AsyncLocalStorage context and an error's stack, all as strings. Never throws.
   */
  #emit(level: number, message: string, extra: Extra | undefined): void {
    let fields = '';
    let error = '';
    let context = '';
    try {
      if (extra instanceof Error) {
        error = extra.stack ?? `${extra.name}: ${extra.message}`;
      } else if (extra !== undefined) {
        const err = extra['err'];
        if (err instanceof Error) {
          error = err.stack ?? `${err.name}: ${err.message}`;
          fields = JSON.stringify(extra, (key, value: unknown) => (key === 'err' ? undefined : value)).slice(1, -1);
        } else {
          fields = JSON.stringify(extra).slice(1, -1);
        }
      }
      const store = contextStorage.getStore();
      if (store !== undefined) context = JSON.stringify(store).slice(1, -1);
    } catch (e: unknown) {
      fields = `"logError":${JSON.stringify(`fields not serialisable: ${e instanceof Error ? e.message : String(e)}`)}`;
    }
    this.#client.sink(level, Date.now(), this.name, String(message), fields, context, error);
  }
}

// ---- this thread's logging ----

let client: LoggingClient | undefined;
let variantLoaded: Variant | undefined;

function sharedSetup(): SharedSetup {
  const setup = getEnvironmentData(ENV_KEY) as SharedSetup | undefined;
  if (setup === undefined) {
    throw new Error(
      'The reference logger is not configured in this process. Call `await configure({...})` in the main thread before starting the worker threads that log',
    );
  }
  return setup;
}

/** Builds this thread's client with the variant's components, if any. */
export function createClient(setup: SharedSetup, variant: Variant | undefined): LoggingClient {
  const Queue = variant?.queue ?? SharedQueue;
  const Client = variant?.client ?? LoggingClient;
  return new Client(setup, new Queue(setup.queue));
}

/** This thread's logging, built on first use from what configure() shared. */
export function currentClient(): LoggingClient {
  if (client !== undefined) return client;
  const setup = sharedSetup();
  if (setup.variant !== undefined && variantLoaded === undefined) {
    throw new Error(`The logging configuration names the variant module ${setup.variant}: call \`await connect()\` in this thread before getLogger()`);
  }
  client = createClient(setup, variantLoaded);
  return client;
}

/** Loads the configured variant module in this thread (if any) and answers this thread's client. */
export async function connect(): Promise<LoggingClient> {
  if (client !== undefined) return client;
  const setup = sharedSetup();
  if (setup.variant !== undefined && variantLoaded === undefined) variantLoaded = await loadVariant(setup.variant);
  return currentClient();
}

/** Installs a client built elsewhere as this thread's (the configuring thread, the listener). */
export function installClient(c: LoggingClient, variant: Variant | undefined): void {
  client = c;
  variantLoaded = variant;
}

export async function loadVariant(url: string): Promise<Variant> {
  try {
    return (await import(url)) as Variant;
  } catch (error: unknown) {
    throw new Error(`Could not load the variant module ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The logger `name` of this thread (`''` or no argument: the root logger). */
export function getLogger(name = ''): Logger {
  return currentClient().getLogger(name);
}

/** Levels from a configuration, as numbers, for SharedSetup. */
export function configuredLevels(loggers: Readonly<Record<string, { readonly level?: LevelName }>> | undefined): [string, number][] {
  return Object.entries(loggers ?? {}).flatMap(([name, l]) => (l.level !== undefined ? [[name, levelValue(l.level)] as [string, number]] : []));
}
