/**
 * Folding a run's events: what the child streamed, reduced to the plain facts the verdict reads.
 *
 * Pure: `foldEvent(state, event)` answers a new state and touches nothing else, so a run's
 * events can be replayed into the same state anywhere (the supervisor as they arrive, a unit
 * test from a list).
 */

import type { ChildEvent, ThreadStatus } from '../contract/protocol.js';
import type { Finding, RunMetrics } from '../contract/result.js';

type EventOf<T extends ChildEvent['type']> = Extract<ChildEvent, { type: T }>;

export interface FoldedRun {
  /** Findings in the order they came, one per (kind, signature). */
  readonly findings: readonly Finding[];
  /** Why the child skipped the run; the last reason when it said so twice. */
  readonly skipped?: string;
  /** The child's metrics, later reports overriding earlier ones field by field. */
  readonly metrics: Partial<RunMetrics>;
  readonly versions?: Readonly<Record<string, string>>;
  /** The Node release the child said it runs on. */
  readonly node?: string;
  /** Where the loggers wrote, and in which format: the ledger reads it back. */
  readonly sink?: EventOf<'sink'>;
  /** Exact per-producer counts, when the scenario got as far as reporting them. */
  readonly produced?: EventOf<'produced'>;
  /** Every thread's board entry at the watchdog's last look. */
  readonly threads: readonly ThreadStatus[];
  /** When (the child's elapsed ms) that look was sent. */
  readonly threadsAtMs?: number;
  /** The scenario ended the process on purpose (process.exit or an injected crash). */
  readonly exiting?: EventOf<'exiting'>;
  /** What the schedule coordinator did, last report. */
  readonly schedule?: EventOf<'schedule'>;
  /** The scenario returned. */
  readonly done: boolean;
  /** The last phase the scenario named. @default 'start' */
  readonly phase: string;
  /** The harness's own failures inside the child: a run with any is an `error`, not a verdict. */
  readonly harnessErrors: readonly string[];
}

export const EMPTY_FOLD: FoldedRun = { findings: [], metrics: {}, threads: [], done: false, phase: 'start', harnessErrors: [] };

export function foldEvent(state: FoldedRun, event: ChildEvent): FoldedRun {
  switch (event.type) {
    case 'runtime':
      return { ...state, node: event.node };
    case 'hello':
      return { ...state, versions: { ...event.versions } };
    case 'sink':
      return { ...state, sink: event };
    case 'phase':
      return { ...state, phase: event.phase };
    case 'progress':
      return { ...state, threads: event.threads, threadsAtMs: event.elapsedMs };
    case 'produced':
      return { ...state, produced: event };
    case 'finding':
      // The thread closing a cycle and the watchdog may both see it: one finding per signature.
      return isRepeat(state.findings, event.finding) ? state : { ...state, findings: [...state.findings, event.finding] };
    case 'metrics':
      return { ...state, metrics: { ...state.metrics, ...event.metrics } };
    case 'skip':
      return { ...state, skipped: event.reason };
    case 'harness-error':
      return { ...state, harnessErrors: [...state.harnessErrors, event.stack ?? event.message] };
    case 'exiting':
      return { ...state, exiting: event };
    case 'schedule':
      return { ...state, schedule: event };
    case 'done':
      return { ...state, done: true };
    default:
      // An event of a type this supervisor does not know (a newer child): nothing to fold.
      return state;
  }
}

/** Every event of a run, folded from the empty state. */
export function foldEvents(events: Iterable<ChildEvent>): FoldedRun {
  let state = EMPTY_FOLD;
  for (const event of events) state = foldEvent(state, event);
  return state;
}

function isRepeat(findings: readonly Finding[], finding: Finding): boolean {
  const signature = finding.evidence['signature'];
  return signature !== undefined && findings.some((f) => f.kind === finding.kind && f.evidence['signature'] === signature);
}
