/**
 * The adapter contract: how logjam drives a candidate logger configuration.
 *
 * An adapter is one module whose default export is `defineAdapter({...})`. logjam imports it
 * by URL in the supervisor (to read its name and capabilities), in the run's child process
 * and in every producer worker thread, so the module must not do work at import time beyond
 * importing its logger.
 */

import type { Writable } from 'node:stream';
import type { SinkOptions } from './sink-spec.js';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];

/**
 * What the logger can do: the scenarios that need a feature are skipped, not failed, without it.
 */
export interface Features {
  /** The adapter can create one logger per worker thread of a process. @default true */
  readonly threads?: boolean;
  /** What one record looks like in the sink: one JSON object per line, or a line of text. */
  readonly format: 'ndjson' | 'text';
  /** The adapter exposes the logger's documented flush and shutdown as `close()`. */
  readonly gracefulShutdown: boolean;
  /** The logger reports records it dropped (`dropped()` on the instance). @default false */
  readonly reportsDrops?: boolean;
  /** `setup()` returns `reconfigure()`, which swaps the sinks while producers log. @default false */
  readonly reconfigure?: boolean;
  /** How the logger carries trace context: `withContext` on the instance, over AsyncLocalStorage. */
  readonly context?: 'async-local-storage';
  /**
   * `log(level, message, fields)` passes `fields` to the logger as structured data (pino's merge
   * object), so scenarios can log hostile values (hostile-input). @default false
   */
  readonly fields?: boolean;
  /** The logger can write to a second sink (`ctx.secondFile` with `ctx.secondSink`). @default false */
  readonly secondSink?: boolean;
  /**
   * The logger instance has `reopen()`: the logger's documented way to reopen its file at the same
   * path after a rotation tool moved it away (pino's `destination.reopen()`, bunyan's
   * `reopenFileStreams()`), so moved-sink can hold it to resuming there. @default false
   */
  readonly reopen?: boolean;
}

/**
 * How the adapter is wired to the run's sink: through logjam's `createSink`, a Writable, a path
 * logjam may make a paced pipe, or a loopback TCP collector.
 */
export interface SinkWiring {
  /**
   * The adapter writes through logjam's `createSink(ctx.file, ctx.sink)`, so scenarios can
   * inject sink pathologies (a lock taken per write, failing writes). @default false
   */
  readonly harnessSink?: boolean;
  /**
   * The adapter writes to `ctx.stream` when the harness gives one (a Node Writable whose write
   * completions fast-check's scheduler orders: async-interleavings) instead of `ctx.file`.
   * @default false
   */
  readonly stream?: boolean;
  /**
   * The logger opens `ctx.file` by path itself, so logjam can make it a named pipe it drains at
   * a controlled pace (slow, stalled, blocking sinks). @default true unless `harnessSink`
   */
  readonly pathSink?: boolean;
  /**
   * With `ctx.sink.reenter` set, the logger writes through `createSink` with a `reenter` hook
   * that logs through the same logger (reentrant-sink). @default false
   */
  readonly reentrantSink?: boolean;
  /**
   * The logger sends its records over TCP to `ctx.collector` instead of writing `ctx.file`:
   * logjam starts a loopback collector for every run of the adapter, which writes each whole
   * line it receives to the sink file (tcp-collector injects faults into it). @default false
   */
  readonly tcp?: boolean;
  /**
   * The logger POSTs its records over HTTP to `ctx.collector` (any path) instead of writing
   * `ctx.file`: logjam starts a loopback HTTP collector for every run of the adapter, which
   * stores the records of each request it answers 200 in the sink file (a JSON object is one
   * record, a JSON array one per element, any other body one per line; http-collector injects
   * faults into it). @default false
   */
  readonly http?: boolean;
  /**
   * How the HTTP collector reads a request body into records (with `http`): `ndjson`, a JSON
   * object is one record, a JSON array one per element, any other body one per line (winston's
   * Http transport); `loki`, Loki's push JSON `{ streams: [{ stream, values: [[ts, line], ...] }] }`,
   * one record per line of `values` (pino-loki); `elastic-bulk`, Elasticsearch's bulk NDJSON,
   * an action line (`{"index":{...}}`) then its document, one record per document
   * (log4js's logstash-http appender). @default 'ndjson'
   */
  readonly httpBody?: HttpBody;
}

/** The request bodies the HTTP collector can read (`capabilities.httpBody`). */
export type HttpBody = 'ndjson' | 'loki' | 'elastic-bulk';
export const HTTP_BODIES: readonly HttpBody[] = ['ndjson', 'loki', 'elastic-bulk'];

/**
 * What the logger promises: logjam holds it to each promise it declares, and only to those.
 */
export interface Promises {
  /**
   * The longest a log call may block its caller, in ms, whatever the sink does (slow-sink,
   * blocking-sink). Undefined: the logger promises none; logjam measures and reports the figure.
   */
  readonly callBoundMs?: number;
  /**
   * What the logger does when its buffer is full: shed the lowest severities first, drop the
   * newest or oldest record whatever its level, block the caller, or grow without bound.
   * Adapters that declare one are held to never dropping an ERROR while keeping a lower record.
   */
  readonly overflow?: 'drop-lowest-first' | 'drop-newest' | 'drop-oldest' | 'block' | 'grow';
  /** The most memory, in MB, the logger buffers whatever the backlog (slow-sink). */
  readonly memoryBoundMb?: number;
  /**
   * The logger promises that what it holds is written when the process exits, by a hook of its
   * own on 'exit' (pino's on-exit-leak-free `flushSync`, the reference's drain), so a record
   * logged synchronously from an application's own 'exit' listener is held to that promise
   * (exit-listener). @default false
   */
  readonly exitFlush?: boolean;
  /**
   * Where the logger documents that the application must call its shutdown for the process to
   * end (log4js's tcp appender keeps its socket until `log4js.shutdown()`): that documentation,
   * quoted with its address. natural-exit, which never calls it, is skipped with this reason
   * (natural-exit-graceful calls it); a process kept alive there is the documented trade-off,
   * not a finding.
   */
  readonly exitNeedsShutdown?: string;
  /**
   * Whether the logger keeps each producer's records in the order they were logged. Where it
   * does (the default), `reordered-records` fails a run in every scenario; a logger that says it
   * does not keep order ('none') gets reordering reported as a fact. @default 'per-producer'
   */
  readonly order?: 'per-producer' | 'none';
}

/**
 * What an adapter declares about its logger, in three kinds: features, sink wiring and promises.
 * One flat object in an adapter (`capabilities: { threads: true, harnessSink: true, ... }`); a
 * key that is none of these is a compile error in `defineAdapter` and a usage error at run time.
 */
export interface Capabilities extends Features, SinkWiring, Promises {}

/** Every capability key, by kind: what `asAdapter` checks a module's capabilities against. */
export const CAPABILITY_KEYS = {
  features: ['threads', 'format', 'gracefulShutdown', 'reportsDrops', 'reconfigure', 'context', 'fields', 'secondSink', 'reopen'],
  wiring: ['harnessSink', 'stream', 'pathSink', 'reentrantSink', 'tcp', 'http', 'httpBody'],
  promises: ['callBoundMs', 'overflow', 'memoryBoundMb', 'exitFlush', 'exitNeedsShutdown', 'order'],
} as const satisfies { features: readonly (keyof Features)[]; wiring: readonly (keyof SinkWiring)[]; promises: readonly (keyof Promises)[] };

// Every key of each kind is listed above: a key added to an interface and not here fails to compile.
type Listed = (typeof CAPABILITY_KEYS)[keyof typeof CAPABILITY_KEYS][number];
const everyCapabilityListed: [Exclude<keyof Capabilities, Listed>] extends [never] ? true : never = true;
void everyCapabilityListed;

/**
 * Where an adapter with `capabilities.tcp` sends its records: a loopback TCP collector that
 * logjam starts for the run. The protocol is newline-delimited lines of text (one record per
 * line, as the logger would write them to a file). The collector writes every complete line it
 * receives to the run's sink file; bytes after the last newline of a connection that ends are
 * discarded (counted by the collector, and so read as lost records).
 *
 * Optional, for loggers that want delivery they can count: a client may send
 * `#logjam-hello <stream-id>` as its first line; the collector then answers `have <n>` (lines of
 * that stream already written, across connections) and, after each chunk it writes, `ack <n>`.
 * A client that resends from line `n` after a reconnect loses and duplicates nothing.
 */
export interface CollectorAddress {
  readonly host: string;
  readonly port: number;
}

export interface AdapterContext {
  /** Pathologies the scenario injects into the sink; pass them to `createSink` from logjam. */
  readonly sink: SinkOptions;
  /**
   * The file the logger must append records to. Several threads of one run get the same path,
   * as several threads of one application share one log file; logjam reads it back after the run.
   */
  readonly file: string;
  /** The producer this logger instance serves (0 for the main thread's logger). */
  readonly producer: number;
  /** Lowest level the logger must emit. @default 'info' */
  readonly level: Level;
  /** A second sink file (capability `secondSink`), with its own pathologies. */
  readonly secondFile?: string;
  readonly secondSink?: SinkOptions;
  /** A bound the scenario asks the logger's in-memory buffer to keep, where it has one. */
  readonly bufferBytes?: number;
  /**
   * A stream to write records to instead of `file`, for adapters declaring `capabilities.stream`.
   * Given only to loggers a scenario creates in the run's main thread.
   */
  readonly stream?: Writable;
  /** The run's collector, for adapters that declare `capabilities.tcp` or `capabilities.http`. */
  readonly collector?: CollectorAddress;
}

export interface LoggerInstance {
  /**
   * Logs one record. `message` carries the record marker and must reach the sink verbatim.
   * `fields` (only for adapters that declare `capabilities.fields`) are structured data the
   * logger merges into the record, as pino's `logger.info(fields, message)`; they may be hostile
   * (circular, throwing getters, BigInt): the logger must still log `message` or report why not.
   */
  log(level: Level, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** The logger's documented way to flush and shut down; logjam wraps it with a deadline. */
  close?(): Promise<void> | void;
  /** The logger's documented flush, without shutting down: resolves once earlier records are delivered. */
  flush?(): Promise<void> | void;
  /** Records the logger itself dropped and reported, if it counts them. */
  dropped?(): number;
  /**
   * Bytes the logger holds in memory and has not yet written, if it can say (sonic-boom's
   * pending buffer, a stream's `writableLength`, a queue's used bytes). A wedge report quotes it.
   */
  buffered?(): number;
  /**
   * Reopens the logger's file at its path, as after a rotation tool moved it away (capability
   * `reopen`): records logged once this returns (or resolves) belong in the file at the path.
   */
  reopen?(): Promise<void> | void;
  /** Runs `fn` with `fields` as the logger's trace context (capability `context`). */
  withContext?<T>(fields: Readonly<Record<string, string>>, fn: () => T): T;
}

/** What `setup` gets: the process-wide view of the run, in the child's main thread. */
export interface ProcessContext {
  readonly file: string;
  readonly level: Level;
  readonly sink: SinkOptions;
  readonly secondFile?: string;
  readonly secondSink?: SinkOptions;
  readonly bufferBytes?: number;
  /** The run's collector, for adapters that declare `capabilities.tcp` or `capabilities.http`. */
  readonly collector?: CollectorAddress;
}

/**
 * What a logger configured once per process (a queue and its listener thread, a transport)
 * hands back from `setup`. logjam calls `close` after every producer's logger has closed.
 */
export interface ProcessSetup {
  /** The logger's documented process-wide flush and shutdown, wrapped with a deadline. */
  close?(): Promise<void> | void;
  /** Records the process-wide logger dropped and reported (a shared queue's drop counter). */
  dropped?(): number;
  /** Replaces the sinks while producers log (reconfigure-under-load). */
  reconfigure?(): Promise<void> | void;
}

export interface AdapterDefinition {
  /** Kebab-case name shown in reports, e.g. `pino-sync`. */
  readonly name: string;
  /** One line: which logger, which configuration. */
  readonly description: string;
  readonly capabilities: Capabilities;
  /** Versions of the packages this adapter loads, helpers included, for the report. */
  versions?(): Record<string, string> | Promise<Record<string, string>>;
  /**
   * The files the logger wrote for `file`, oldest first, for a logger that rotates: logjam
   * reads every one back, in this order, after the run. Called in the supervisor once the run's
   * process has ended. @default [file]
   */
  sinkFiles?(file: string): readonly string[];
  /**
   * Configures the logger once, in the main thread, before producer threads start, as an
   * application configures logging at start-up. Worker threads started afterwards inherit
   * what it sets with `worker_threads.setEnvironmentData`.
   */
  setup?(ctx: ProcessContext): ProcessSetup | Promise<ProcessSetup>;
  create(ctx: AdapterContext): LoggerInstance | Promise<LoggerInstance>;
}

/** Whether an adapter module is TypeScript, which every thread that imports it must be able to load. */
export function isTypeScriptModule(url: string): boolean {
  return /\.[cm]?tsx?$/.test(new URL(url).pathname);
}

/** The keys of `T` that `Shape` does not have, each typed `never`: an excess key is an error. */
type NoExtraKeys<T, Shape> = { readonly [K in Exclude<keyof T, keyof Shape>]: never };

/**
 * Declares an adapter; the identity function, for types and a checked shape. A key the contract
 * does not know, at the top or in `capabilities` (`harnesSink: true`), is a compile error.
 */
export function defineAdapter<const T extends AdapterDefinition>(
  definition: T & NoExtraKeys<T, AdapterDefinition> & { readonly capabilities: NoExtraKeys<T['capabilities'], Capabilities> },
): T {
  return definition;
}

const ADAPTER_KEYS: readonly (keyof AdapterDefinition)[] = ['name', 'description', 'capabilities', 'versions', 'sinkFiles', 'setup', 'create'];

/** Capability values by kind of check: what a wrong type is told it should be. */
const CAPABILITY_TYPES: Readonly<Record<keyof Capabilities, { readonly ok: (v: unknown) => boolean; readonly expected: string }>> = {
  threads: { ok: isBoolean, expected: 'a boolean' },
  format: { ok: (v) => v === 'ndjson' || v === 'text', expected: "'ndjson' or 'text'" },
  gracefulShutdown: { ok: isBoolean, expected: 'a boolean' },
  reportsDrops: { ok: isBoolean, expected: 'a boolean' },
  reconfigure: { ok: isBoolean, expected: 'a boolean' },
  context: { ok: (v) => v === 'async-local-storage', expected: "'async-local-storage'" },
  fields: { ok: isBoolean, expected: 'a boolean' },
  secondSink: { ok: isBoolean, expected: 'a boolean' },
  reopen: { ok: isBoolean, expected: 'a boolean' },
  harnessSink: { ok: isBoolean, expected: 'a boolean' },
  stream: { ok: isBoolean, expected: 'a boolean' },
  pathSink: { ok: isBoolean, expected: 'a boolean' },
  reentrantSink: { ok: isBoolean, expected: 'a boolean' },
  tcp: { ok: isBoolean, expected: 'a boolean' },
  http: { ok: isBoolean, expected: 'a boolean' },
  httpBody: { ok: (v) => (HTTP_BODIES as readonly unknown[]).includes(v), expected: "'ndjson', 'loki' or 'elastic-bulk'" },
  callBoundMs: { ok: isPositive, expected: 'a positive number of milliseconds' },
  overflow: {
    ok: (v) => v === 'drop-lowest-first' || v === 'drop-newest' || v === 'drop-oldest' || v === 'block' || v === 'grow',
    expected: "'drop-lowest-first', 'drop-newest', 'drop-oldest', 'block' or 'grow'",
  },
  memoryBoundMb: { ok: isPositive, expected: 'a positive number of MB' },
  exitFlush: { ok: isBoolean, expected: 'a boolean' },
  exitNeedsShutdown: { ok: (v) => typeof v === 'string' && v.trim() !== '', expected: "the logger's documentation that says so, quoted with its address (a non-empty string)" },
  order: { ok: (v) => v === 'per-producer' || v === 'none', expected: "'per-producer' or 'none'" },
};

function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}

function isPositive(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** The known key closest to a misspelt one (Levenshtein distance at most 2), for "did you mean". */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKey(where: string, key: string, known: readonly string[]): string {
  const guess = closestKey(key, known);
  return `no \`${where}${key}\`${guess !== undefined ? ` (did you mean \`${guess}\`?)` : ''}: the valid keys are ${known.join(', ')}`;
}

/** Checks a module's default export is an adapter and says what is wrong if it is not. */
export function asAdapter(value: unknown, where: string): AdapterDefinition {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      `Expected ${where} to default-export an adapter (\`export default defineAdapter({...})\`), got ${describe(value)}`,
    );
  }
  const v = value as Record<string, unknown>;
  if (typeof v['name'] !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(v['name'])) {
    problems.push(`\`name\` to be a kebab-case string, got ${describe(v['name'])}`);
  }
  if (typeof v['description'] !== 'string') problems.push(`\`description\` to be a string, got ${describe(v['description'])}`);
  if (typeof v['create'] !== 'function') problems.push(`\`create\` to be a function, got ${describe(v['create'])}`);
  for (const key of Object.keys(v)) {
    if (!(ADAPTER_KEYS as readonly string[]).includes(key)) problems.push(unknownKey('', key, ADAPTER_KEYS));
  }
  for (const key of ['versions', 'sinkFiles', 'setup'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'function') problems.push(`\`${key}\` to be a function, got ${describe(v[key])}`);
  }
  const caps = v['capabilities'] as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null) {
    problems.push(`\`capabilities\` to be an object, got ${describe(caps)}`);
  } else {
    const known = Object.keys(CAPABILITY_TYPES);
    for (const [key, value] of Object.entries(caps)) {
      const check = CAPABILITY_TYPES[key as keyof Capabilities] as (typeof CAPABILITY_TYPES)[keyof Capabilities] | undefined;
      if (check === undefined) problems.push(unknownKey('capabilities.', key, known));
      else if (value !== undefined && !check.ok(value)) problems.push(`\`capabilities.${key}\` to be ${check.expected}, got ${describe(value)}`);
    }
    for (const required of ['format', 'gracefulShutdown'] as const) {
      if (caps[required] === undefined) problems.push(`\`capabilities.${required}\` to be ${CAPABILITY_TYPES[required].expected}, got ${describe(undefined)}`);
    }
  }
  if (problems.length > 0) {
    throw new TypeError(`The adapter in ${where} is not valid. Expected ${problems.join('; ')}.`);
  }
  return value as AdapterDefinition;
}

export function describe(value: unknown): string {
  if (value === undefined) return '`undefined`';
  if (value === null) return '`null`';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'string') return `\`${value}\` (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `\`${value.toString()}\` (${typeof value})`;
  }
  return `a ${typeof value}`;
}

/**
 * A module's default export, as a user wrote it. A TypeScript module in a CommonJS project
 * (no `"type": "module"`) is compiled to CommonJS by the loader: imported from ESM its
 * namespace's `default` is then `module.exports`, which holds the real default under
 * `default` (with `__esModule` set). Both shapes answer the same export.
 */
export function defaultExport(namespace: unknown): unknown {
  const outer = (namespace as { default?: unknown } | null)?.default;
  if (typeof outer === 'object' && outer !== null && '__esModule' in outer && 'default' in outer) {
    return (outer as { default: unknown }).default;
  }
  return outer;
}
