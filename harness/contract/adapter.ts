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

export interface Capabilities {
  /** The adapter can create one logger per worker thread of a process. @default true */
  readonly threads?: boolean;
  /** What one record looks like in the sink: one JSON object per line, or a line of text. */
  readonly format: 'ndjson' | 'text';
  /** The adapter exposes the logger's documented flush and shutdown as `close()`. */
  readonly gracefulShutdown: boolean;
  /** The logger reports records it dropped (`dropped()` on the instance). @default false */
  readonly reportsDrops?: boolean;
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
  /** `setup()` returns `reconfigure()`, which swaps the sinks while producers log. @default false */
  readonly reconfigure?: boolean;
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
   * The logger opens `ctx.file` by path itself, so logjam can make it a named pipe it drains at
   * a controlled pace (slow, stalled, blocking sinks). @default true unless `harnessSink`
   */
  readonly pathSink?: boolean;
  /** The logger can write to a second sink (`ctx.secondFile` with `ctx.secondSink`). @default false */
  readonly secondSink?: boolean;
  /**
   * With `ctx.sink.reenter` set, the logger writes through `createSink` with a `reenter` hook
   * that logs through the same logger (reentrant-sink). @default false
   */
  readonly reentrantSink?: boolean;
  /** How the logger carries trace context: `withContext` on the instance, over AsyncLocalStorage. */
  readonly context?: 'async-local-storage';
  /**
   * `log(level, message, fields)` passes `fields` to the logger as structured data (pino's merge
   * object), so scenarios can log hostile values (hostile-input). @default false
   */
  readonly fields?: boolean;
  /**
   * The logger sends its records over TCP to `ctx.collector` instead of writing `ctx.file`:
   * logjam starts a loopback collector for every run of the adapter, which writes each whole
   * line it receives to the sink file (tcp-collector injects faults into it). @default false
   */
  readonly tcp?: boolean;
}

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
  /** The run's collector, for adapters that declare `capabilities.tcp`. */
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
  /** The run's collector, for adapters that declare `capabilities.tcp`. */
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

/** Declares an adapter; the identity function, for types and a checked shape. */
export function defineAdapter<const T extends AdapterDefinition>(definition: T): T {
  return definition;
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
  const caps = v['capabilities'] as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null) {
    problems.push(`\`capabilities\` to be an object, got ${describe(caps)}`);
  } else {
    if (caps['format'] !== 'ndjson' && caps['format'] !== 'text') {
      problems.push(`\`capabilities.format\` to be 'ndjson' or 'text', got ${describe(caps['format'])}`);
    }
    if (typeof caps['gracefulShutdown'] !== 'boolean') {
      problems.push(`\`capabilities.gracefulShutdown\` to be a boolean, got ${describe(caps['gracefulShutdown'])}`);
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
