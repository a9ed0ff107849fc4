/**
 * The run's verdict, decided in one place: from the child's folded events, how its process
 * ended, and what the ledger read back from the sink, to a RunResult.
 *
 * Pure: no clock, no process, no file. Everything that happened is passed in as plain data,
 * so every way a run can end is a unit test (test/unit/verdict.test.ts).
 *
 * The rule, in order:
 * 1. Findings are facts, in the order they were found: the child's own (one per signature),
 *    then what the way the process ended says (a deadline, an exit that did not come, a memory
 *    cap, a death), then the ledger's (lost, duplicated, reordered, torn records).
 * 2. The scenario's `failOn` makes a finding an `error`, every other one a `warning`; a
 *    finding the detector itself judged harmless (`info`) stays information.
 * 3. Status: `skip` when the child said so; else `error` when the harness failed (inside the
 *    child, at spawn, or interrupted); else `fail` when any finding is an `error`; else `pass`.
 */

import type { Reconciliation } from '../ledger/ledger.js';
import type { ScheduleSpec } from '../contract/schedule-spec.js';
import { EMPTY_METRICS, type Finding, type LedgerCounts, type Replay, type RunMetrics, type RunResult, type RunStatus } from '../contract/result.js';
import type { AnyScenario } from '../contract/scenario.js';
import type { FoldedRun } from './fold.js';
import { ledgerFindings, type SinkReading } from './ledger-findings.js';


/** Why the supervisor ended the run's process. */
export type KillReason = 'deadline' | 'hang' | 'deadlock' | 'exit-hang' | 'memory' | 'aborted';

/** How the run's process ended, as the watcher saw it. */
export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The process could not be started at all: the message of the spawn error. */
  readonly spawnError?: string;
  /** Why the supervisor ended it, when it did; undefined when it ended by itself. */
  readonly killedFor?: KillReason;
  /** Peak resident memory the watcher saw, in MB. */
  readonly peakRssMb: number;
  /** The end of its stderr (the watcher keeps the last 16 KB). */
  readonly stderrTail: string;
  /** From the scenario's `done` or `exiting` event to the process's end, when both came. */
  readonly endedAfterMs?: number;
}

/** The bounds the run was held to. */
export interface RunLimits {
  readonly timeoutMs: number;
  /**
   * The watchdog's window: a run whose threads made progress within it (and within the last
   * second) when the deadline came was still working, not hung. Absent: every run ended at its
   * deadline is judged hung.
   */
  readonly hangMs?: number;
  /** How long the process may take to end once the scenario is done or exiting. */
  readonly exitMs: number;
  readonly memoryMb: number;
}

export interface RunFacts {
  readonly adapter: string;
  readonly seed: number;
  readonly params: unknown;
  readonly schedule?: ScheduleSpec;
  readonly replay: Replay;
  readonly folded: FoldedRun;
  readonly end: ProcessEnd;
  readonly limits: RunLimits;
  /** Absent when the run had no sink to read or was skipped. */
  readonly sink?: SinkReading;
  readonly wallMs: number;
}

/** What the verdict needs of a scenario. */
export type VerdictScenario = Pick<AnyScenario, 'name' | 'failOn' | 'lossKind'>;

/** How much of the stderr tail a finding's evidence quotes. */
const EVIDENCE_TAIL = 4096;

/** The evidence signature of the natural-exit scenarios' look at what keeps a process alive. */
export const ALIVE_LOOK = 'natural-exit';

/**
 * The child's look at what keeps a naturally exiting process alive (scenarios/natural-exit.ts)
 * is evidence for the exit bound, not a verdict (issue 13): the process is observed until it
 * really ends. When the supervisor had to end it at the bound, the look is the exit-hang it
 * describes (an error, with the resources); when the process ended by itself after the look, a
 * late timer of the logger's let it end, and the look is dropped.
 */
export function judgeAliveLooks(findings: readonly Finding[], end: Pick<ProcessEnd, 'killedFor'>): Finding[] {
  return findings.flatMap((f) =>
    f.kind !== 'exit-hang' || f.evidence['signature'] !== ALIVE_LOOK ? [f] : end.killedFor === 'exit-hang' ? [{ ...f, severity: 'error' as const }] : [],
  );
}

export function verdict(facts: RunFacts, scenario: VerdictScenario): RunResult {
  const { folded, end } = facts;
  const ended = endFindings(folded, end, facts.limits);
  const found = [...judgeAliveLooks(folded.findings, end), ...ended.findings, ...(facts.sink !== undefined ? ledgerFindings(facts.sink, scenario.lossKind) : [])];
  const findings = found.map((f) => withSeverity(f, scenario.failOn));
  const harnessErrors = [...folded.harnessErrors, ...ended.harnessErrors];
  const skipped = folded.skipped ?? (harnessErrors.length === 0 ? ended.cutShort : undefined);
  const status: RunStatus = skipped !== undefined ? 'skip' : harnessErrors.length > 0 ? 'error' : findings.some((f) => f.severity === 'error') ? 'fail' : 'pass';
  const reason = skipped ?? (harnessErrors.length > 0 ? harnessErrors.join('\n') : undefined);
  const schedule = facts.schedule;
  const scheduled = folded.schedule;
  return {
    adapter: facts.adapter,
    scenario: scenario.name,
    seed: facts.seed,
    params: facts.params,
    ...(schedule !== undefined
      ? {
          schedule: {
            spec: schedule,
            ...(scheduled !== undefined
              ? { steps: scheduled.steps, preemptionsApplied: scheduled.preemptionsApplied, abandoned: scheduled.abandoned, trace: scheduled.trace }
              : {}),
          },
        }
      : {}),
    status,
    ...(reason !== undefined ? { reason } : {}),
    // A run cut short while it worked is skipped whole: its partial ledger would read as loss.
    findings: folded.skipped === undefined && skipped !== undefined ? [] : findings,
    metrics: metricsOf(facts),
    replay: facts.replay,
    ...(folded.versions !== undefined ? { versions: folded.versions } : {}),
    ...(folded.node !== undefined ? { node: folded.node } : {}),
  };
}

/**
 * What the way the process ended says: a finding when the supervisor had to end it or it
 * died unasked, a harness error when it never started or the user stopped it. A skipped run
 * that ended by itself says nothing; a harness error inside the child explains a death.
 */
export function endFindings(folded: FoldedRun, end: ProcessEnd, limits: RunLimits): { findings: Finding[]; harnessErrors: string[]; cutShort?: string } {
  const findings: Finding[] = [];
  const harnessErrors: string[] = [];
  const { phase, threads, exiting } = folded;
  const evidence = { phase, exitCode: end.code, signal: end.signal, stderrTail: end.stderrTail.slice(-EVIDENCE_TAIL) };
  if (end.killedFor === 'aborted') harnessErrors.push(`interrupted during ${phase}: the run was stopped before it finished`);
  if (end.spawnError !== undefined) {
    harnessErrors.push(`could not start the run's process: ${end.spawnError}`);
  } else if (end.killedFor === 'deadline' && !folded.findings.some((f) => f.kind === 'hang') && stillProgressing(folded, limits)) {
    // Not the logger's hang: the run was given less time than this much logging takes here.
    // Like a run the budget stopped, it is skipped: what it had not delivered yet says nothing.
    const produced = folded.threads.reduce((n, t) => n + t.produced, 0);
    const target = folded.threads.reduce((n, t) => n + t.target, 0);
    return {
      findings,
      harnessErrors,
      cutShort: `the run was still making progress when its deadline of ${limits.timeoutMs} ms came (last phase: ${phase}; ${produced} of ${target} records produced): a deadline too short for this run on this machine, not a hang; raise --timeout to let it finish`,
    };
  } else if (end.killedFor === 'deadline' && !folded.findings.some((f) => f.kind === 'hang')) {
    findings.push({
      kind: 'hang',
      severity: 'error',
      message: `The run did not finish within its deadline of ${limits.timeoutMs} ms (last phase: ${phase})`,
      evidence: { ...evidence, deadlineMs: limits.timeoutMs, threads },
    });
  } else if (end.killedFor === 'exit-hang') {
    const after = exiting?.injected !== undefined ? `the injected ${exiting.injected}` : exiting !== undefined ? `process.exit(${exiting.code})` : 'the scenario finished';
    findings.push({
      kind: 'exit-hang',
      severity: 'error',
      message: `The process did not end within ${limits.exitMs} ms after ${after}; something keeps it alive`,
      evidence: { ...evidence, boundMs: limits.exitMs, threads: threads.filter((t) => t.state !== 'done') },
    });
  } else if (end.killedFor === 'memory') {
    findings.push({
      kind: 'crash',
      severity: 'error',
      message: `The run's process exceeded its memory cap of ${limits.memoryMb} MB resident and was ended`,
      evidence: { ...evidence, cause: 'out-of-memory', capMb: limits.memoryMb, peakRssMb: end.peakRssMb },
    });
  } else if (end.killedFor === undefined && folded.skipped === undefined) {
    const crash = unaskedEnd(folded, end, limits, evidence);
    if (crash !== undefined) findings.push(crash);
  }
  return { findings, harnessErrors };
}

/** How recent a thread's progress must have been, at the watchdog's last look, for it to count as working. */
const WORKING_WINDOW_MS = 1000;

/**
 * Whether some thread not done was working when the deadline came: at the watchdog's last look it
 * had made progress within a second (or the hang window, if shorter), and that look is not older
 * than a hang window. What happened between the last look and the deadline is not known, so it is
 * not counted as quiet: under load the look before a deadline can come seconds early, and
 * winston-http × steady, delivering at the last look (progress 0 ms old), was reported hung
 * because the look was 1 to 2 s old. A wedged thread is quiet at the look itself: still a hang.
 */
function stillProgressing(folded: FoldedRun, limits: RunLimits): boolean {
  if (limits.hangMs === undefined || folded.threadsAtMs === undefined) return false;
  const window = Math.min(limits.hangMs, WORKING_WINDOW_MS);
  if (limits.timeoutMs - folded.threadsAtMs >= limits.hangMs) return false;
  return folded.threads.some((t) => t.state !== 'done' && t.progressAgeMs < window);
}

/**
 * The process ended by itself: fine after `done` or an injected crash; a crash when its
 * `process.exit(code)` ended with another code, or when it died before the scenario was done
 * (unless the harness already said why).
 */
function unaskedEnd(folded: FoldedRun, end: ProcessEnd, limits: RunLimits, evidence: Readonly<Record<string, unknown>>): Finding | undefined {
  const { exiting, phase, threads } = folded;
  if (exiting !== undefined) {
    if (exiting.injected !== undefined || end.code === exiting.code) return undefined;
    return {
      kind: 'crash',
      severity: 'error',
      message: `process.exit(${exiting.code}) ended the process with ${describeExit(end.code, end.signal)}: an exit handler failed`,
      evidence: { ...evidence, expectedCode: exiting.code },
    };
  }
  // The child already said why it ended (an adapter's setup() or create() failed or never settled).
  if (folded.done || folded.harnessErrors.length > 0 || folded.findings.some(isAdapterFailure)) return undefined;
  const outOfMemory = end.signal === 'SIGABRT' || /heap out of memory|Allocation failed/i.test(end.stderrTail);
  const message = outOfMemory
    ? `The run's process ran out of JS heap (cap ${Math.floor(limits.memoryMb / 2)} MB) and aborted`
    : end.code === 0
      ? `The process exited with code 0 before the scenario finished (during ${phase}): something called process.exit`
      : `The process died with ${describeExit(end.code, end.signal)} during ${phase}`;
  return {
    kind: 'crash',
    severity: 'error',
    message,
    evidence: { ...evidence, cause: outOfMemory ? 'out-of-memory' : end.code === 0 ? 'unexpected-exit' : 'died', threads },
  };
}

/**
 * The scenario decides which kinds fail a run. A finding the detector itself judged harmless
 * (a lock-order cycle all in one thread, or under a common guard) stays information.
 */
export function withSeverity(finding: Finding, failOn: VerdictScenario['failOn']): Finding {
  if (finding.severity === 'info') return finding;
  if (finding.kind === 'reordered-records' && finding.evidence['orderPromised'] === true) return finding;
  // The adapter failed before it logged: no scenario may read that as a pass.
  if (isAdapterFailure(finding)) return finding;
  return { ...finding, severity: failOn.includes(finding.kind) ? 'error' : 'warning' };
}

/** The child's report that the adapter's setup() or create() threw or never settled (harness/child/child.ts). */
function isAdapterFailure(finding: Finding): boolean {
  return finding.evidence['cause'] === 'adapter-failed' || finding.evidence['cause'] === 'never-settled';
}

function metricsOf(facts: RunFacts): RunMetrics {
  const child = facts.folded.metrics;
  const r = facts.sink?.reconciliation;
  const loadMs = child.loadMs;
  const { endedAfterMs, killedFor } = facts.end;
  return {
    ...EMPTY_METRICS,
    ...child,
    ...(r !== undefined ? pickCounts(r) : {}),
    wallMs: facts.wallMs,
    ...(r !== undefined && loadMs !== undefined && loadMs > 0 ? { deliveredPerSec: Math.round((r.delivered * 1000) / loadMs) } : {}),
    peakRssMb: Math.max(facts.end.peakRssMb, child.peakRssMb ?? 0),
    // Time to exit means something only when the process ended by itself.
    ...(endedAfterMs !== undefined && killedFor === undefined ? { exitMs: Math.round(endedAfterMs) } : {}),
  };
}

function pickCounts(r: Reconciliation): LedgerCounts {
  const { produced, delivered, droppedReported, lost, duplicated, reordered, torn } = r;
  return { produced, delivered, droppedReported, lost, duplicated, reordered, torn };
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code}`;
}
