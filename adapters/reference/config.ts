/**
 * The declarative configuration, in the spirit of Python's `logging.config.dictConfig`, and its
 * validation. Everything in it is plain data (module references are URLs), so it crosses to the
 * listener thread as is and the listener builds the handlers it owns from it.
 *
 * A bad configuration is refused as a whole, before any thread starts, with every problem
 * listed as "Expected …, got …" and how to fix it.
 */

import type { MessagePort } from 'node:worker_threads';
import { compileTemplate, PLACEHOLDERS } from './format.js';
import { isLevelName, LEVEL_NAMES, type LevelName } from './levels.js';

/** A function or class exported by a module: `{ module: 'file:///…/x.js', export: 'Name' }`. */
export interface ModuleRef {
  /** Absolute URL of an ES module (e.g. `new URL('./x.js', import.meta.url).href`). */
  readonly module: string;
  /** @default 'default' */
  readonly export?: string;
  /** Passed to the factory or constructor; must be structured-cloneable. */
  readonly options?: unknown;
}

export type FormatterConfig = { readonly format: 'ndjson' } | { readonly template: string };

export type FilterConfig =
  /** Passes records with min <= level <= max (the seeds' SeverityRouter). */
  | { readonly type: 'level-range'; readonly min?: LevelName; readonly max?: LevelName }
  /** Passes records of logger `name` and its descendants (Python's `Filter(name)`). */
  | { readonly type: 'name'; readonly name: string }
  /** `filter(record): boolean` from a module: a class (constructed with options) or a function. */
  | ({ readonly type: 'custom' } & ModuleRef);

interface HandlerCommon {
  /** Records below this level are not handled (when the listener respects handler levels). */
  readonly level?: LevelName;
  /** A name under `formatters`. @default an ndjson formatter */
  readonly formatter?: string;
  /** Names under `filters`; a record must pass all of them. */
  readonly filters?: readonly string[];
}

export type HandlerConfig = HandlerCommon &
  (
    | { readonly type: 'stream'; readonly stream?: 'stdout' | 'stderr' }
    | {
        readonly type: 'file';
        readonly filename: string;
        /** Open the file at the first record rather than at configuration. @default true */
        readonly delay?: boolean;
        /** A writer factory `(filename, options) => { write(text), flush?(), close?() }` used instead of the file system. */
        readonly writer?: ModuleRef;
        /**
         * Hold a lock file (`<filename>.lock`) around each batch write, for a destination other
         * processes write too: always, or `'auto'` when it is a pipe or a socket. @default false
         */
        readonly interprocessLock?: boolean | 'auto';
      }
    | {
        readonly type: 'rotating-file';
        readonly filename: string;
        /** Rotate before a write would make the file larger than this. */
        readonly maxBytes: number;
        /** Keep this many old files: name.1 (newest) … name.N. */
        readonly backupCount: number;
        /** @default true */
        readonly delay?: boolean;
      }
    | {
        readonly type: 'memory';
        /** Records buffered before a flush to the target. */
        readonly capacity: number;
        /** A record at or above this level flushes the buffer. @default 'error' */
        readonly flushLevel?: LevelName;
        /** A name under `handlers`. */
        readonly target: string;
        /** @default true */
        readonly flushOnClose?: boolean;
      }
    | { readonly type: 'null' }
    /** A Handler subclass from a module, constructed as `new Class(name, options)`. */
    | ({ readonly type: 'custom' } & ModuleRef)
    /**
     * An application's own Writable, in the thread that calls configure(): the listener hands
     * it each formatted batch through a MessagePort, and `flushAsync()`/`stopAsync()` wait for
     * its write callbacks. `flush()`/`stop()` and the exit hook cannot: they block the one
     * thread whose event loop completes the writes.
     */
    | { readonly type: 'writable'; readonly stream: WritableTarget }
    /** What `writable` becomes in the listener thread (internal: configure() builds it). */
    | { readonly type: 'port'; readonly port: MessagePort; readonly counters: SharedArrayBuffer }
  );

/** The part of a Node Writable a `writable` handler uses. */
export interface WritableTarget {
  write(chunk: string, callback: (error?: Error | null) => void): unknown;
  end(callback?: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

export interface LoggerConfig {
  readonly level?: LevelName;
  /** Names under `handlers`, run in the listener thread for records of this logger and its descendants. */
  readonly handlers?: readonly string[];
  /** Pass records on to the parent logger's handlers too. @default true */
  readonly propagate?: boolean;
}

export interface LoggingConfig {
  readonly queue?: {
    /** Bytes of shared memory for queued records. @default 2 MiB */
    readonly capacity?: number;
  };
  readonly formatters?: Readonly<Record<string, FormatterConfig>>;
  readonly filters?: Readonly<Record<string, FilterConfig>>;
  readonly handlers?: Readonly<Record<string, HandlerConfig>>;
  /** @default { level: 'info', handlers: [] } */
  readonly root?: LoggerConfig;
  readonly loggers?: Readonly<Record<string, LoggerConfig>>;
  readonly listener?: {
    /** Apply each handler's level in the listener (Python's `respect_handler_level`). @default false */
    readonly respectHandlerLevel?: boolean;
    /** Most records handed to the handlers in one batch (one write per file handler). @default 1024 */
    readonly batchRecords?: number;
    /** The listener rechecks the queue after this long asleep, as a safety net. @default 1000 */
    readonly idleRecheckMs?: number;
    /**
     * While records keep coming, the listener that finds the queue empty naps this long instead
     * of asking producers to wake it: producers then pay no wakeup per call, and the listener
     * takes what a nap gathered as one batch (it is woken early when the queue is a quarter
     * full, or for flush and stop). After ten empty naps it sleeps until woken. 0: never nap,
     * the first record after the listener emptied the queue wakes it. @default 1
     */
    readonly napMs?: number;
  };
  readonly shutdown?: {
    /** Bound on draining the queue at process exit. @default 3000 */
    readonly exitDrainMs?: number;
    /** Bound on flush() and stop() when the caller gives none. @default 5000 */
    readonly timeoutMs?: number;
  };
  /**
   * URL of a module exporting replacement components (`queue`, `listener`, `system` classes):
   * the extension point the seeded-defect variants use. Every thread loads it.
   */
  readonly variant?: string;
}

export class ConfigError extends TypeError {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`The logging configuration is not valid:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

const HANDLER_TYPES = ['stream', 'file', 'rotating-file', 'memory', 'null', 'custom', 'writable'] as const;

function show(value: unknown): string {
  if (value === undefined) return '`undefined`';
  if (value === null) return '`null`';
  if (typeof value === 'string') return `\`${value}\` (string)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\` (${typeof value})`;
  return Array.isArray(value) ? 'an array' : `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a configuration and answers it typed, or throws a ConfigError listing every problem. */
export function validateConfig(input: unknown): LoggingConfig {
  const problems: string[] = [];
  const expect = (ok: boolean, path: string, what: string, got: unknown, fix?: string): boolean => {
    if (!ok) problems.push(`Expected \`${path}\` to be ${what}, got ${show(got)}${fix !== undefined ? `. ${fix}` : ''}`);
    return ok;
  };
  if (!expect(isRecord(input), 'config', 'an object', input)) throw new ConfigError(problems);
  const c = input as Record<string, unknown>;
  const known = ['queue', 'formatters', 'filters', 'handlers', 'root', 'loggers', 'listener', 'shutdown', 'variant'];
  for (const key of Object.keys(c)) {
    if (!known.includes(key)) problems.push(`Unknown key \`${key}\`. Expected one of ${known.join(', ')}`);
  }
  const levelOk = (v: unknown, path: string): void => {
    if (v !== undefined) expect(isLevelName(v), path, `one of ${LEVEL_NAMES.join(', ')}`, v);
  };
  const positiveInt = (v: unknown, path: string, min = 1): void => {
    if (v !== undefined) expect(Number.isInteger(v) && (v as number) >= min, path, `an integer >= ${min}`, v);
  };
  const section = (key: string): Record<string, unknown> => {
    const v = c[key];
    if (v === undefined) return {};
    return expect(isRecord(v), key, 'an object', v) ? (v as Record<string, unknown>) : {};
  };
  const url = (v: unknown, path: string): void => {
    let ok = typeof v === 'string';
    if (ok) {
      try {
        new URL(v as string);
      } catch {
        ok = false;
      }
    }
    expect(ok, path, 'an absolute module URL', v, "Use `new URL('./module.js', import.meta.url).href`");
  };

  const queue = section('queue');
  positiveInt(queue['capacity'], 'queue.capacity', 4096);

  const formatters = section('formatters');
  for (const [name, f] of Object.entries(formatters)) {
    const path = `formatters.${name}`;
    if (!expect(isRecord(f), path, "an object like { format: 'ndjson' } or { template: '{time} {level} {message}' }", f)) continue;
    const fc = f as Record<string, unknown>;
    if (fc['template'] !== undefined) {
      if (expect(typeof fc['template'] === 'string', `${path}.template`, 'a string', fc['template'])) {
        const { unknown } = compileTemplate(fc['template'] as string);
        for (const u of unknown) problems.push(`Unknown placeholder \`{${u}}\` in \`${path}.template\`. Expected one of {${PLACEHOLDERS.join('}, {')}}; write {{ or }} for a literal brace`);
      }
    } else {
      expect(fc['format'] === 'ndjson', `${path}.format`, "'ndjson' (or give a `template` instead)", fc['format']);
    }
  }

  const filters = section('filters');
  for (const [name, f] of Object.entries(filters)) {
    const path = `filters.${name}`;
    if (!expect(isRecord(f), path, 'an object with a `type`', f)) continue;
    const fc = f as Record<string, unknown>;
    if (fc['type'] === 'level-range') {
      levelOk(fc['min'], `${path}.min`);
      levelOk(fc['max'], `${path}.max`);
    } else if (fc['type'] === 'name') {
      expect(typeof fc['name'] === 'string', `${path}.name`, 'a dotted logger name', fc['name']);
    } else if (fc['type'] === 'custom') {
      url(fc['module'], `${path}.module`);
    } else {
      expect(false, `${path}.type`, "one of 'level-range', 'name', 'custom'", fc['type']);
    }
  }

  const handlers = section('handlers');
  const handlerNames = Object.keys(handlers);
  const refHandler = (v: unknown, path: string): void => {
    expect(
      typeof v === 'string' && Object.hasOwn(handlers, v),
      path,
      `the name of a handler under \`handlers\` (${handlerNames.join(', ') || 'none defined'})`,
      v,
      'Define the handler under `handlers` or fix the name',
    );
  };
  const handlerList = (v: unknown, path: string): void => {
    if (v === undefined) return;
    if (!expect(Array.isArray(v), path, 'an array of handler names', v)) return;
    (v as unknown[]).forEach((h, i) => refHandler(h, `${path}[${i}]`));
  };
  for (const [name, h] of Object.entries(handlers)) {
    const path = `handlers.${name}`;
    if (!expect(isRecord(h), path, 'an object with a `type`', h)) continue;
    const hc = h as Record<string, unknown>;
    levelOk(hc['level'], `${path}.level`);
    if (hc['formatter'] !== undefined) {
      expect(
        typeof hc['formatter'] === 'string' && Object.hasOwn(formatters, hc['formatter']),
        `${path}.formatter`,
        `the name of a formatter under \`formatters\` (${Object.keys(formatters).join(', ') || 'none defined'})`,
        hc['formatter'],
        'Define it under `formatters` or fix the name',
      );
    }
    if (hc['filters'] !== undefined && expect(Array.isArray(hc['filters']), `${path}.filters`, 'an array of filter names', hc['filters'])) {
      (hc['filters'] as unknown[]).forEach((f, i) =>
        expect(typeof f === 'string' && Object.hasOwn(filters, f), `${path}.filters[${i}]`, `the name of a filter under \`filters\` (${Object.keys(filters).join(', ') || 'none defined'})`, f),
      );
    }
    switch (hc['type']) {
      case 'stream':
        if (hc['stream'] !== undefined) expect(hc['stream'] === 'stdout' || hc['stream'] === 'stderr', `${path}.stream`, "'stdout' or 'stderr'", hc['stream']);
        break;
      case 'file':
        expect(typeof hc['filename'] === 'string' && hc['filename'] !== '', `${path}.filename`, 'a file path', hc['filename']);
        if (hc['writer'] !== undefined) {
          if (expect(isRecord(hc['writer']), `${path}.writer`, 'a module reference { module, export?, options? }', hc['writer'])) {
            url((hc['writer'] as Record<string, unknown>)['module'], `${path}.writer.module`);
          }
        }
        if (hc['interprocessLock'] !== undefined) {
          expect(typeof hc['interprocessLock'] === 'boolean' || hc['interprocessLock'] === 'auto', `${path}.interprocessLock`, "a boolean or 'auto'", hc['interprocessLock']);
        }
        break;
      case 'rotating-file':
        expect(typeof hc['filename'] === 'string' && hc['filename'] !== '', `${path}.filename`, 'a file path', hc['filename']);
        expect(Number.isInteger(hc['maxBytes']) && (hc['maxBytes'] as number) > 0, `${path}.maxBytes`, 'a positive integer', hc['maxBytes']);
        expect(Number.isInteger(hc['backupCount']) && (hc['backupCount'] as number) >= 1, `${path}.backupCount`, 'an integer >= 1', hc['backupCount']);
        break;
      case 'memory':
        positiveInt(hc['capacity'], `${path}.capacity`);
        if (hc['capacity'] === undefined) expect(false, `${path}.capacity`, 'an integer >= 1', undefined);
        levelOk(hc['flushLevel'], `${path}.flushLevel`);
        refHandler(hc['target'], `${path}.target`);
        if (hc['target'] === name) problems.push(`Expected \`${path}.target\` to name another handler, got itself`);
        break;
      case 'null':
        break;
      case 'custom':
        url(hc['module'], `${path}.module`);
        break;
      case 'writable': {
        const stream = hc['stream'] as Record<string, unknown> | undefined;
        expect(isRecord(stream) && typeof stream['write'] === 'function' && typeof stream['end'] === 'function', `${path}.stream`, 'a Node Writable (an object with write() and end())', hc['stream']);
        break;
      }
      default:
        expect(false, `${path}.type`, `one of ${HANDLER_TYPES.map((t) => `'${t}'`).join(', ')}`, hc['type']);
    }
  }
  // A memory handler's targets must not loop back on themselves.
  for (const name of handlerNames) {
    const seen = new Set<string>();
    let at: string | undefined = name;
    while (at !== undefined && !seen.has(at)) {
      seen.add(at);
      const hc: unknown = handlers[at];
      at = isRecord(hc) && hc['type'] === 'memory' && typeof hc['target'] === 'string' ? hc['target'] : undefined;
    }
    if (at !== undefined && at === name) problems.push(`Expected memory handler targets to end at a non-memory handler, but \`handlers.${name}\` reaches itself`);
  }

  const loggerOk = (v: unknown, path: string): void => {
    if (!expect(isRecord(v), path, 'an object like { level?, handlers?, propagate? }', v)) return;
    const lc = v as Record<string, unknown>;
    levelOk(lc['level'], `${path}.level`);
    handlerList(lc['handlers'], `${path}.handlers`);
    if (lc['propagate'] !== undefined) expect(typeof lc['propagate'] === 'boolean', `${path}.propagate`, 'a boolean', lc['propagate']);
  };
  if (c['root'] !== undefined) loggerOk(c['root'], 'root');
  for (const [name, l] of Object.entries(section('loggers'))) {
    if (name === '' || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      problems.push(`Expected logger names to be dotted names like \`app.db\`, got \`${name}\`; configure the root logger under \`root\``);
    }
    loggerOk(l, `loggers.${name}`);
  }

  const listener = section('listener');
  if (listener['respectHandlerLevel'] !== undefined) expect(typeof listener['respectHandlerLevel'] === 'boolean', 'listener.respectHandlerLevel', 'a boolean', listener['respectHandlerLevel']);
  positiveInt(listener['batchRecords'], 'listener.batchRecords');
  positiveInt(listener['idleRecheckMs'], 'listener.idleRecheckMs');
  positiveInt(listener['napMs'], 'listener.napMs', 0);
  const shutdown = section('shutdown');
  positiveInt(shutdown['exitDrainMs'], 'shutdown.exitDrainMs');
  positiveInt(shutdown['timeoutMs'], 'shutdown.timeoutMs');
  if (c['variant'] !== undefined) url(c['variant'], 'variant');

  if (problems.length > 0) throw new ConfigError(problems);
  return input as LoggingConfig;
}
