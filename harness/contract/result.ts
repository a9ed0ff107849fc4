
/**
 * The one JSON result model (`logjam.report/1`). Every reporter is a pure view of it.
 */

import type { ScheduleSpec } from './schedule-spec.js';

/** The closed set of finding kinds (docs/architecture.md, "Finding kinds are a closed set"). */
export const FINDING_KINDS = [
  'deadlock',
  'lock-order-cycle',
  'recursive-lock',
  'hang',
  'event-loop-stall',
  'blocked-caller',
  'lost-records',
  'duplicate-records',
  'reordered-records',
  'torn-records',
  'severity-inversion',
  'unbounded-memory',
  'exit-loss',
  'exit-hang',
  'isolation-breach',
  'context-lost',
  'crash',
  'unhandled-error',
  'recursion',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

/** `error` findings fail a run when its scenario says so; `warning` and `info` never do. */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly message: string;
  /** Plain JSON facts a person needs to act: counts, ranges, stacks, board snapshots. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export type RunStatus = 'pass' | 'fail' | 'skip' | 'error';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** What the record ledger counts: the first block of every run's metrics. */
export interface LedgerCounts {
  readonly produced: number;
  /** Distinct records delivered at least once. */
  readonly delivered: number;
  readonly droppedReported: number;
  /** Produced, not delivered, and not accounted for by the logger's own drop count. */
  readonly lost: number;
  /** Deliveries beyond the first of the same record. */
  readonly duplicated: number;
  /** First deliveries that arrived after a later record of the same producer. */
  readonly reordered: number;
  /** Delivered lines that were not exactly one whole record of this run. */
  readonly torn: number;
}

export interface RunMetrics extends LedgerCounts {
  /** Wall time of the whole run, process start to verdict. */
  readonly wallMs: number;
  /** From the first log call to the end of the loggers' shutdown. */
  readonly loadMs?: number;
  /** Delivered records per second over `loadMs`: records that only sit in a buffer do not count. */
  readonly deliveredPerSec?: number;
  /** Per-call latency of the logger's log call, in microseconds. */
  readonly callLatencyUs?: LatencySummary;
  readonly peakRssMb?: number;
  /** From the scenario's end (or its process.exit) to the process's end, when it ended by itself. */
  readonly exitMs?: number;
  /** Event-loop delay of the run's main thread, in milliseconds. */
  readonly eventLoopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface Replay {
  readonly command: string;
  /** The adapter as the user named it (a bundled name or a path). */
  readonly adapter: string;
  readonly scenario: string;
  readonly seed: number;
  /** fast-check's path from the seed's parameters to shrunk ones, when the run's were shrunk. */
  readonly path?: string;
  /** The replay artefact written for this failure (`logjam replay FILE`). */
  readonly file?: string;
  /** The interpreter a Python adapter's run was given (`--python`), when one was named. */
  readonly python?: string;
  /** The Node release the run was asked to run on (`--node`), when one was named. */
  readonly node?: string;
}

/**
 * Where a run's wall time went, in whole ms: the six phases follow each other and add up to
 * `metrics.wallMs` (give or take rounding). Measured by the child and the supervisor on one
 * clock (epoch ms); folded by harness/run/timeline.ts. No verdict depends on it.
 */
export interface RunPhases {
  /**
   * The run was due to its process being ready: spawn, Node's start, the harness's modules, the
   * RunSpec's hand-over. A warm process (the pool's) did all but the hand-over before the run was due.
   */
  readonly ready: number;
  /** Ready to the first record: the scenario's and adapter's modules, the logger's setup and creation, the producer threads' start. */
  readonly setup: number;
  /** The first record to the last (ChildMark 'first-record', 'last-record'). */
  readonly scenario: number;
  /** The last record to the child's `done`: the loggers' close, their threads ending, the collector's close, what the scenario checks after. */
  readonly shutdown: number;
  /** `done` (or the scenario's own exit) to the process's end, as the supervisor saw it. */
  readonly exit: number;
  /** The process's end to the verdict: the sink read back into the ledger, the scratch folder removed. */
  readonly readBack: number;
  /** The run's process was started ahead by the pool. */
  readonly warm: boolean;
  /** Within setup: the producer threads' start-up, from their spawn (ThreadStartup; summed over the scenario's producer rounds). */
  readonly threads?: { readonly harness: number; readonly adapter: number; readonly ready: number };
  /** Steps the child never reported (it crashed, was killed, or skipped): their phases are 0, the time counted in the next phase reported. */
  readonly missing?: readonly string[];
}

export interface RunResult {
  readonly adapter: string;
  readonly scenario: string;
  readonly seed: number;
  /** The scenario's parameters for this run, as generated from the seed (or shrunk). */
  readonly params?: unknown;
  readonly status: RunStatus;
  /** Why the run was skipped, or what went wrong inside the harness. */
  readonly reason?: string;
  readonly findings: readonly Finding[];
  readonly metrics: RunMetrics;
  readonly replay: Replay;
  /** Present when the failing run was shrunk: how, and from which parameters. */
  readonly shrink?: {
    readonly runs: number;
    readonly shrinks: number;
    /** Whether the original parameters failed again; a failure that does not reproduce cannot shrink. */
    readonly reproduced: boolean;
    readonly original: unknown;
  };
  /** The schedule the run was perturbed or controlled by, and what the coordinator did. */
  readonly schedule?: RunSchedule;
  /** Exact versions of the packages the adapter loaded. */
  readonly versions?: Readonly<Record<string, string>>;
  /** The Node release the run's process ran on (`v22.12.0`), as that process reported it. */
  readonly node?: string;
  /** Where the run's wall time went; absent for a run that never started a process (skipped up front). */
  readonly phases?: RunPhases;
}

export interface RunSchedule {
  readonly spec: ScheduleSpec;
  readonly steps?: number;
  readonly preemptionsApplied?: number;
  /** A thread gave up waiting for its turn: the run was not fully controlled. */
  readonly abandoned?: boolean;
  /** The coordinator's last decisions. */
  readonly trace?: readonly string[];
}

export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly totalMemoryMb: number;
  readonly logjam: string;
  readonly command: string;
}

export interface Report {
  readonly schema: 'logjam.report/1';
  readonly startedAt: string;
  readonly durationMs: number;
  readonly environment: Environment;
  readonly runs: readonly RunResult[];
  readonly summary: { readonly pass: number; readonly fail: number; readonly skip: number; readonly error: number };
  /** How often each finding kind showed per adapter and scenario, over repeated runs. */
  readonly rates?: readonly FindingRate[];
  /** Set on one shard's report (`logjam ci --shard 2/4`); `logjam merge-reports` joins them. */
  readonly shard?: { readonly index: number; readonly count: number; readonly planned: number };
  /** What suite `logjam ci` ran, so `merge-reports` joins only shards of one suite. */
  readonly suite?: SuiteFingerprint;
}

export interface SuiteFingerprint {
  /** sha256 over the other fields: equal fingerprints, one suite. */
  readonly fingerprint: string;
  /** The Node release `--node` pinned the runs to; absent: the supervisor's own Node. */
  readonly node?: string;
  readonly adapters: readonly string[];
  readonly scenarios: readonly string[];
  readonly seeds: readonly number[];
  /** Planned runs of the whole (unsharded) suite. */
  readonly runs: number;
  readonly logjam: string;
}

export const EMPTY_METRICS: RunMetrics = {
  produced: 0,
  delivered: 0,
  droppedReported: 0,
  lost: 0,
  duplicated: 0,
  reordered: 0,
  torn: 0,
  wallMs: 0,
};

/** Exit codes of the CLI (docs/architecture.md, "Exit codes"). */
export const EXIT = { pass: 0, findings: 1, usage: 2, internal: 3 } as const;

/**
 * The suite's exit code. A suite in which no run executed (none planned, or every one skipped)
 * is a configuration error, never a pass: a gate that ran nothing must not let a change through.
 */
export function exitCodeFor(runs: readonly RunResult[]): number {
  if (runs.some((r) => r.status === 'error')) return EXIT.internal;
  if (runs.some((r) => r.status === 'fail')) return EXIT.findings;
  if (nothingRan(runs)) return EXIT.usage;
  return EXIT.pass;
}

/** No run executed: none were planned, or every one was skipped. */
export function nothingRan(runs: readonly RunResult[]): boolean {
  return runs.every((r) => r.status === 'skip');
}

/** How often one finding kind showed over the runs of one adapter and scenario (`--runs N`). */
export interface FindingRate {
  readonly adapter: string;
  readonly scenario: string;
  readonly kind: FindingKind;
  /** Runs of this adapter and scenario that ran (skipped runs do not count). */
  readonly runs: number;
  /** Runs with at least one finding of this kind. */
  readonly seen: number;
  /** Runs in which it failed the run (severity error). */
  readonly failing: number;
  /** `seen / runs`. */
  readonly rate: number;
  /** Seeds of the runs that showed it: `--seed` replays any of them. */
  readonly seeds: readonly number[];
}
