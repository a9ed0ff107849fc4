/**
 * The scenario contract. A scenario is one module in `scenarios/` that drives load against an
 * adapter inside a run's child process and says which findings fail it.
 */

import type { Writable } from 'node:stream';
import type { Arbitrary } from 'fast-check';
import type { Worker } from 'node:worker_threads';
import { describe, type AdapterDefinition, type Capabilities, type CollectorAddress, type Level, type LoggerInstance } from './adapter.js';
import type { RunSpec } from './protocol.js';
import type { CallSummary } from './call-stats.js';
import type { LevelMix } from './level-mix.js';
import type { CollectorFaults, CollectorStats, HttpCollectorFaults, HttpCollectorStats, PayloadText, RelayOptions, RelayStats } from './sink-spec.js';
import type { SinkOptions } from './sink-spec.js';
import type { LockHandle, MutexOptions } from './lock-handle.js';
import { FINDING_KINDS, type Finding, type FindingKind, type LatencySummary, type RunMetrics } from './result.js';

export interface ScenarioDefinition<P = unknown> {
  /** Kebab-case name, e.g. `steady`. */
  readonly name: string;
  /** One line for `logjam list`. */
  readonly description: string;
  /** Why the scenario does not apply to an adapter with these capabilities; undefined if it does. */
  skip?(capabilities: Capabilities, adapter?: AdapterDefinition): string | undefined;
  /**
   * The finding kinds that fail a run of this scenario; every other finding is a reported fact.
   * Build it with `failOn(...)`: ALWAYS_FAIL plus the scenario's own kinds.
   */
  readonly failOn: readonly FindingKind[];
  /** What records missing from the sink are called here: lost in flight, or lost at exit. */
  readonly lossKind: 'lost-records' | 'exit-loss';
  /**
   * The scenario's parameters, as a fast-check arbitrary with bounds. A run takes the first
   * value for its seed; a failing run shrinks it. Values must be plain JSON: they cross to the
   * run's process and into replay files.
   */
  readonly params: Arbitrary<P>;
  /**
   * The scenario returns with its loggers still open, as an application that just ends does:
   * the harness then leaves the run's collector receiving until the process ends (it writes
   * what it receives at once), so a logger's own exit-time drain still has somewhere to go.
   */
  readonly leavesLoggersOpen?: boolean;
  /** The upstream bug class the scenario reproduces, with a link where one exists. */
  readonly reproduces?: string;
  /**
   * Track every worker thread the logger starts in the run's main thread (a transport's
   * worker, a listener thread), so `ctx.loggerWorkers()` can end one. @default false
   */
  readonly trackWorkers?: boolean;
  /** Drives the run in the child's main thread. */
  run(ctx: ScenarioContext, params: P): Promise<void>;
}

/**
 * The findings that fail every scenario. None is a trade-off a logger's documentation can
 * allow: the process died or an error escaped the logger to its caller (`crash`,
 * `unhandled-error`), threads stopped for good (`hang`, `deadlock`, and `recursive-lock`: a
 * thread taking a non-reentrant lock it already holds would wait on itself forever), or the
 * process could not end (`exit-hang`). A scenario that reports one of them as a fact instead
 * names it in `failOn`'s `except` and says why in its header comment.
 */
export const ALWAYS_FAIL = ['crash', 'unhandled-error', 'hang', 'deadlock', 'recursive-lock', 'exit-hang'] as const satisfies readonly FindingKind[];
export type AlwaysFail = (typeof ALWAYS_FAIL)[number];

/**
 * A scenario's `failOn`: every kind of ALWAYS_FAIL but the `except`ed ones, then the
 * scenario's own kinds (the order `logjam list` shows them in). A kind named twice counts once.
 */
export function failOn(own: readonly FindingKind[], options: { readonly except?: readonly AlwaysFail[] } = {}): readonly FindingKind[] {
  const except: readonly FindingKind[] = options.except ?? [];
  return [...new Set([...ALWAYS_FAIL.filter((k) => !except.includes(k)), ...own])];
}

/** Any scenario, whatever its parameters' type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScenario = ScenarioDefinition<any>;

/** Why a scenario that runs one logger per worker thread skips an adapter that cannot; undefined if it can. */
export function skipWithoutThreads(capabilities: Capabilities): string | undefined {
  return capabilities.threads === false ? 'the adapter cannot run one logger per worker thread' : undefined;
}

export function defineScenario<P>(definition: ScenarioDefinition<P>): ScenarioDefinition<P> {
  return definition;
}

/** Checks a module's default export is a scenario and says what is wrong if it is not. */
export function asScenario(value: unknown, where: string): AnyScenario {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`Expected ${where} to default-export a scenario (\`export default defineScenario({...})\`), got ${describe(value)}`);
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof v['name'] !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(v['name'])) {
    problems.push(`\`name\` to be a kebab-case string, got ${describe(v['name'])}`);
  }
  if (typeof v['description'] !== 'string') problems.push(`\`description\` to be a string, got ${describe(v['description'])}`);
  if (typeof v['run'] !== 'function') problems.push(`\`run\` to be a function, got ${describe(v['run'])}`);
  const kinds: readonly string[] = FINDING_KINDS;
  if (!Array.isArray(v['failOn']) || !(v['failOn'] as unknown[]).every((k) => typeof k === 'string' && kinds.includes(k))) {
    problems.push(`\`failOn\` to be an array of finding kinds (${FINDING_KINDS.join(', ')}), got ${describe(v['failOn'])}`);
  }
  if (v['lossKind'] !== 'lost-records' && v['lossKind'] !== 'exit-loss') {
    problems.push(`\`lossKind\` to be 'lost-records' or 'exit-loss', got ${describe(v['lossKind'])}`);
  }
  const params = v['params'] as { generate?: unknown } | undefined;
  if (typeof params !== 'object' || params === null || typeof params.generate !== 'function') {
    problems.push(`\`params\` to be a fast-check arbitrary (e.g. \`fc.record({...})\`), got ${describe(params)}`);
  }
  if (problems.length > 0) throw new TypeError(`The scenario in ${where} is not valid. Expected ${problems.join('; ')}.`);
  return value as AnyScenario;
}

export interface ProducerOptions {
  /** Worker threads, each with its own logger instance. */
  readonly threads: number;
  /** Records each thread logs. */
  readonly records: number;
  /** Records between two yields to the thread's event loop, so asynchronous sinks can drain. */
  readonly batch: number;
  readonly minPayload: number;
  readonly maxPayload: number;
  /** Payload characters: ASCII, or multi-byte UTF-8 (CJK, emoji, combining marks). @default 'ascii' */
  readonly text?: PayloadText;
  readonly level: Level;
  /** Pathologies injected into the adapter's sink. @default {} */
  readonly sink?: SinkOptions;
  /** An instrumented lock each producer holds around each log call, like an interpreter lock. */
  readonly holdLock?: LockHandle;
  /** Hold `holdLock` around every k-th call only, as code that sometimes releases it. @default 1 */
  readonly holdEvery?: number;
  /** Run the adapter's process-wide shutdown once the producers are done. @default true */
  readonly closeProcess?: boolean;
  /** Mixed severities, a pure function of (producer, seq), instead of `level`. */
  readonly mix?: LevelMix;
  /** Pause between batches: bursts of `batch` records, then quiet. @default 0 */
  readonly pauseMs?: number;
  /**
   * Log inside trace contexts (`LoggerInstance.withContext`): `concurrent` tasks per thread, a
   * new context every `perContext` records, awaits between records; each record's payload
   * starts with `T<traceId>-`.
   */
  readonly context?: { readonly perContext: number; readonly concurrent: number };
  /** Calls at least this long are counted as slow. @default 50 */
  readonly slowCallMs?: number;
  /** Make the sink path a named pipe drained at this pace (loggers that open a path). */
  readonly relay?: RelayOptions;
  /** A second sink file for the adapter, with its own pathologies. */
  readonly second?: { readonly sink: SinkOptions };
  /** Asks the logger to bound its in-memory buffer to this, where it has one. */
  readonly bufferBytes?: number;
  /**
   * The path the loggers write to, when it is not the sink file itself (a FIFO that a relay
   * drains into the sink file). @default ctx.file
   */
  readonly file?: string;
}

/** A thread's slowest log call, and where. */
export interface SlowestCall {
  readonly thread: string;
  readonly producer: number;
  readonly seq: number;
  readonly ms: number;
}

/** Producers as separate processes: each loads the adapter, configures it and logs. */
export interface ProcessProducerOptions {
  /** Processes, each producer `p` logging as producer `p` with its own logger and setup. */
  readonly processes: number;
  readonly records: number;
  readonly batch: number;
  readonly minPayload: number;
  readonly maxPayload: number;
  readonly level: Level;
  /** The path the loggers write to. @default ctx.file */
  readonly file?: string;
}

export interface ProducersOutcome {
  readonly produced: readonly number[];
  readonly droppedReported: number;
  readonly latency: LatencySummary;
  /** From opening the start gate to the last producer's logger being closed. */
  readonly wallMs: number;
  /** Per producer thread: slowest call, slow calls, calls that threw (not for producer processes). */
  readonly calls?: readonly (CallSummary & { readonly producer: number; readonly thread: string })[];
  /** What the relay drained, when the sink was a paced pipe. */
  readonly relay?: RelayStats;
  /** The second sink's file, when one was asked for. */
  readonly secondFile?: string;
}

export interface MainLogOutcome {
  readonly logger: LoggerInstance;
  readonly produced: number;
  readonly latency: LatencySummary;
  readonly wallMs: number;
  readonly calls: CallSummary & { readonly producer: number; readonly thread: string };
  /** Stops the paced pipe (after the logger's close) and says what it drained. */
  readonly stopRelay?: () => Promise<RelayStats>;
}

export interface ScenarioContext {
  readonly spec: RunSpec;
  readonly adapter: AdapterDefinition;
  readonly random: () => number;
  /** The sink file every logger of this run appends to. */
  readonly file: string;
  phase(name: string): void;
  finding(finding: Finding): void;
  metrics(metrics: Partial<RunMetrics>): void;
  /**
   * Reports exactly how many records each producer logged and how many the logger dropped;
   * `refused` names the records whose log() call threw at the caller. The caller was told, so
   * one that never reached the sink is counted refused, not lost: report the throw itself as
   * the scenario's finding.
   */
  produced(counts: readonly number[], droppedReported: number, refused?: readonly { readonly producer: number; readonly seq: number }[]): void;
  /** A new instrumented lock every thread of the run can take through its handle. */
  createLock(className: string, options?: MutexOptions): LockHandle;
  /** Swaps the adapter's sinks through its process-wide setup, while producers log. */
  reconfigure(): Promise<void>;
  /** Runs the adapter's process-wide shutdown now (after `runProducers({ closeProcess: false })`). */
  closeProcess(): Promise<void>;
  /** Logs from worker threads started together through a shared-memory gate. */
  runProducers(options: ProducerOptions): Promise<ProducersOutcome>;
  /** Creates a logger in the main thread (producer 0) and logs synchronously, as an app does. */
  logFromMain(options: Omit<ProducerOptions, 'threads' | 'batch' | 'closeProcess' | 'context' | 'pauseMs'>): Promise<MainLogOutcome>;
  /** Records logged so far by every producer and the main thread, from the status board. */
  producedSoFar(): number;
  /** Runs a logger's documented shutdown, then the process-wide one, with the run's close deadline. */
  close(logger: LoggerInstance): Promise<{ readonly ok: boolean; readonly ms: number; readonly error?: string }>;
  /** Ends the process on purpose with `process.exit(code)`, as an application would. */
  exit(code: number): never;
  /**
   * Starts N processes that each load the adapter, run its setup, create a logger as producer
   * `p` and log to the same path; resolves when every process has ended (or was ended at its
   * deadline). Their progress shows on the main thread's board row.
   */
  runProcesses(options: ProcessProducerOptions): Promise<ProducersOutcome>;
  /**
   * The adapter's logger for `producer` (default 0) in the main thread, setup run first; with
   * `stream`, over a harness stream for adapters declaring `capabilities.stream`.
   */
  createLogger(options?: { readonly producer?: number; readonly level?: Level; readonly stream?: Writable }): Promise<LoggerInstance>;
  /**
   * The run's TCP collector, started with `faults` at the first call (later calls answer the
   * same one). Runs of adapters with `capabilities.tcp` get a healthy one when no scenario
   * asked first.
   */
  collector(faults?: CollectorFaults): Promise<RunCollector>;
  /**
   * The run's HTTP collector, started with `faults` at the first call (later calls answer the
   * same one). Runs of adapters with `capabilities.http` get a healthy one when no scenario
   * asked first.
   */
  httpCollector(faults?: HttpCollectorFaults): Promise<RunCollector<HttpCollectorFaults, HttpCollectorStats>>;
  /** Worker threads the logger started in this thread that are still alive (`trackWorkers`). */
  loggerWorkers(): readonly Worker[];
  /**
   * Ends the process on purpose, the way an application crashes: an uncaught exception thrown
   * from a callback, or SIGTERM sent to itself. The exit bound still applies.
   */
  crash(how: 'uncaught-exception' | 'sigterm'): Promise<never>;
}

/** A loopback TCP or HTTP collector the scenario started (harness/sinks/collector.ts implements it). */
export interface RunCollector<F = CollectorFaults, S = CollectorStats> {
  readonly address: CollectorAddress;
  readonly faults: F;
  /** A failure the collector met after it started (it could not listen again), if any. */
  readonly failure: string | undefined;
  /** Stops accepting, lets clients end within `ms`, and answers what it saw (undefined if it did not answer). */
  close(ms?: number): Promise<S | undefined>;
}
