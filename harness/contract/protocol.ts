/**
 * Messages between a run's child process and the supervisor, and between the child's threads.
 * Defined once and imported by both sides.
 */

import type { Capabilities, CollectorAddress, Level } from './adapter.js';
import type { CallSummary } from './call-stats.js';
import type { Finding, RunMetrics } from './result.js';
import type { ScheduleSpec } from './schedule-spec.js';

/** What the supervisor asks one child process to do. Passed as JSON in argv. */
export interface RunSpec {
  readonly adapter: { readonly name: string; readonly url: string };
  /** The scenario's module, imported by URL: bundled or the user's own. */
  readonly scenario: { readonly name: string; readonly url: string };
  readonly seed: number;
  /** The scenario's parameters for this run (JSON), from its arbitrary and the seed, or shrunk. */
  readonly params: unknown;
  /** Schedule perturbation (`pct`) or control (`controlled`); free-running when absent. */
  readonly schedule?: ScheduleSpec;
  /** The run's own scratch folder: sink files live here. */
  readonly dir: string;
  readonly timeoutMs: number;
  /** No progress for this long while work remains is a hang. */
  readonly hangMs: number;
  /** A main-thread event loop blocked this long is an event-loop stall. */
  readonly stallMs: number;
  /** Bound on a documented flush or shutdown call. */
  readonly closeMs: number;
  /** Per-thread JS heap cap for producer workers, in MB. */
  readonly workerHeapMb: number;
  /** Resident memory cap of the run, in MB: what a process the child starts (a Python driver) is held to. */
  readonly memoryMb?: number;
}

/** A thread's entry on the status board, as the watchdog reads it. */
export interface ThreadStatus {
  readonly slot: number;
  readonly name: string;
  readonly state: string;
  readonly op: string;
  readonly produced: number;
  readonly target: number;
  readonly heartbeatAgeMs: number;
  readonly progressAgeMs: number;
  /** The thread's own progress counter (a listener's handled records). */
  readonly progress?: number;
  /** Instrumented locks held, outermost first, with the acquire site where it was captured. */
  readonly held?: readonly { readonly lock: string; readonly site: string }[];
  readonly waiting?: ThreadWait;
  /** Bytes the thread's logger last reported holding unwritten (`buffered()`), where it says. */
  readonly buffered?: number;
}

/** The first frame of a captured site outside Node's internals: the line a one-line message shows. */
export function firstFrame(site: string): string {
  const lines = site.split('\n');
  return (lines.find((l) => !l.includes('node:')) ?? lines[0] ?? '').replace(/^at /, '');
}

/** What a thread is blocked on, as the board shows it. */
export interface ThreadWait {
  readonly kind: string;
  /** `reference.queue#3` for an instrumented lock; `buffer of 32 bytes, index 0` for a raw wait. */
  readonly on: string;
  /** Threads holding the lock waited on. */
  readonly holders?: readonly string[];
  /** The JS stack at the wait. */
  readonly site: string;
  readonly forMs: number;
  /** Raw waits: the value waited on, and whether any thread of the run notified that address. */
  readonly value?: number;
  readonly notifiedBy?: readonly string[];
}

/**
 * The steps a run's child passes, in order: its process started; the harness's modules were
 * loaded; it had its RunSpec (at once for a cold process, when handed over for a warm one);
 * the scenario and adapter were loaded; the scenario started; its first record was logged
 * (the first log call of a producer thread or of the main thread's loop, a child process's
 * start, or a logger created for the scenario's own calls); its last record was logged (the
 * last such call returned, or the scenario began closing a logger); the scenario returned; it
 * sent `done`.
 */
export const CHILD_MARKS = ['process', 'harness', 'spec', 'adapter', 'scenario', 'first-record', 'last-record', 'scenario-end', 'done'] as const;
export type ChildMark = (typeof CHILD_MARKS)[number];

/**
 * Where the producer threads' start-up went, in ms summed over the scenario's `runProducers`
 * calls, each from the threads' spawn to the last of them passing the step: the harness's
 * modules loaded in the thread, the adapter's module loaded, the logger created and at the
 * start gate. Part of the run's setup phase.
 */
export interface ThreadStartup {
  readonly harness: number;
  readonly adapter: number;
  readonly ready: number;
}

/** What a warm run process (harness/run/pool.ts) loads before its RunSpec is handed over: module URLs. */
export interface WarmStart {
  readonly scenarioUrl: string;
  readonly adapterUrl: string;
}

/** Child → supervisor, one JSON object per line on file descriptor 3. */
export type ChildEvent =
  /** Sent first, before anything is loaded: the Node release the process runs on (`process.version`). */
  | { readonly type: 'runtime'; readonly node: string }
  | { readonly type: 'hello'; readonly pid: number; readonly versions: Readonly<Record<string, string>> }
  | {
      readonly type: 'sink';
      readonly path: string;
      readonly format: Capabilities['format'];
      /** The files to read back, oldest first, when the child knows them (a Python adapter's `sink_files`). */
      readonly files?: readonly string[];
    }
  | { readonly type: 'phase'; readonly phase: string; readonly elapsedMs: number }
  /**
   * Where the run's time went, as epoch milliseconds (`performance.timeOrigin` based) the child
   * passed each step at; sent once, with `done`. Read by `npm run bench`; no verdict uses it.
   */
  | { readonly type: 'marks'; readonly marks: Readonly<Partial<Record<ChildMark, number>>>; readonly threads?: ThreadStartup }
  | {
      readonly type: 'progress';
      readonly elapsedMs: number;
      readonly produced: number;
      readonly threads: readonly ThreadStatus[];
    }
  | {
      readonly type: 'produced';
      readonly counts: readonly number[];
      readonly droppedReported: number;
      /** Records whose log() call threw at the caller (ScenarioContext.produced's `refused`). */
      readonly refused?: readonly { readonly producer: number; readonly seq: number }[];
    }
  | { readonly type: 'finding'; readonly finding: Finding }
  | { readonly type: 'metrics'; readonly metrics: Partial<RunMetrics> }
  | { readonly type: 'skip'; readonly reason: string }
  | { readonly type: 'harness-error'; readonly message: string; readonly stack?: string }
  | {
      readonly type: 'exiting';
      readonly code: number;
      /**
       * The scenario ends the process itself in a way other than process.exit (crash-mid-write:
       * an uncaught exception, SIGTERM): how the process then ends is a fact, not a crash; only
       * an end that does not come within the exit bound is a finding (exit-hang).
       */
      readonly injected?: 'uncaught-exception' | 'sigterm';
    }
  | {
      readonly type: 'schedule';
      /** `still`: every controlled thread is parked; `end`: the run finished. */
      readonly reason: 'still' | 'end';
      readonly steps: number;
      readonly preemptionsApplied: number;
      /** A thread waited past the bound for its turn and ran on uncontrolled. */
      readonly abandoned: boolean;
      /** The last decisions: step, thread, point kind, and which threads were held. */
      readonly trace: readonly string[];
    }
  | { readonly type: 'done' };

/** Producer worker → child main thread. */
export type ProducerMessage =
  | {
      readonly type: 'result';
      readonly producer: number;
      readonly produced: number;
      readonly dropped: number;
      /** Per-call latency in nanoseconds, as util/latency.ts encodes it (the recorded buckets). */
      readonly latency: string;
      readonly calls: CallSummary;
      readonly closeMs: number;
      readonly closeTimedOut: boolean;
      readonly closeError?: string;
      /** Epoch ms (the thread's `performance.timeOrigin` based) of its steps, for the run's phases (ChildMark). */
      readonly at: { readonly harness: number; readonly adapter: number; readonly ready: number; readonly first?: number; readonly last?: number };
    }
  | { readonly type: 'failed'; readonly producer: number; readonly phase: string; readonly message: string; readonly stack?: string };

/** What the run's main thread tells a producer process (harness/child/process-producer.ts), in argv. */
export interface ProcessProducerSpec {
  readonly adapterUrl: string;
  readonly producer: number;
  readonly file: string;
  readonly records: number;
  readonly batch: number;
  readonly minPayload: number;
  readonly maxPayload: number;
  readonly level: Level;
  readonly seed: number;
  readonly closeMs: number;
  /** How long to wait for the start signal before giving up. */
  readonly gateMs: number;
  readonly collector?: CollectorAddress;
}

/** Producer process → the run's main thread, over the IPC channel. */
export type ProcessProducerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly produced: number }
  | {
      readonly type: 'result';
      readonly produced: number;
      readonly dropped: number;
      readonly latency: string;
      readonly closeMs: number;
      readonly closeError?: string;
      readonly closeTimedOut: boolean;
    }
  | { readonly type: 'failed'; readonly phase: string; readonly message: string; readonly stack?: string };

/** The run's main thread → a producer process. */
export type ProcessProducerCommand = { readonly type: 'go' };
