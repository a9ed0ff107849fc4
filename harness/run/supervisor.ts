/**
 * The supervisor: runs one (adapter, scenario, seed) in its own child process with a memory
 * cap and a hard deadline, collects the events the child streams as they happen, reads the
 * sink back into the ledger, and decides the run's verdict in one place.
 *
 * Independent watchers race (the deadline, the watchdog's hang report, the exit bound, the
 * memory cap, the child's own exit); the first to fire decides why the child was ended, and
 * every timer is disarmed on every path. Whatever the child did, the result is a RunResult:
 * a wedged, crashed or exploded child is a finding, never a supervisor hang or crash.
 */

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { asAdapter, isTypeScriptModule } from '../contract/adapter.js';
import type { Arbitrary } from 'fast-check';
import { paramsFor, runArbitrary } from './params.js';
import type { ScheduleMode, ScheduleSpec } from '../contract/schedule-spec.js';
import { Ledger, type Reconciliation } from '../ledger/ledger.js';
import type { ChildEvent, RunSpec, ThreadStatus } from '../contract/protocol.js';
import { EMPTY_METRICS, type Finding, type LedgerCounts, type Replay, type RunMetrics, type RunResult, type RunStatus } from '../contract/result.js';
import type { AnyScenario } from '../contract/scenario.js';
import type { ResolvedScenario } from './resolve.js';

export interface SuperviseOptions {
  readonly adapter: { readonly name: string; readonly url: string; readonly ref: string };
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  /** The scenario's parameters; by default its arbitrary's value for the seed. */
  readonly params?: unknown;
  /** Free-running (default), seeded delays at scheduling points (`pct`), or one thread at a time (`controlled`). */
  readonly scheduleMode?: ScheduleMode;
  /** An exact schedule (from a replay file or a shrink); overrides the one `scheduleMode` draws. */
  readonly schedule?: ScheduleSpec;
  /** fast-check's path to `params` from the seed's, when they were shrunk. */
  readonly path?: string;
  /** Hard deadline of the whole run. @default 60000 */
  readonly timeoutMs: number;
  /** Resident memory cap of the child process, in MB. @default 2048 */
  readonly memoryMb: number;
  /** @default 3000 */
  readonly hangMs?: number;
  /** @default 1000 */
  readonly stallMs?: number;
  /** @default 5000 */
  readonly closeMs?: number;
  /** How long the child may take to end once its scenario is done or it called exit. @default 3000 */
  readonly exitMs?: number;
  /** Folder under which each run gets its scratch folder. */
  readonly workDir: string;
  /** Keep the run's scratch folder (sink files, diagnostics) after the run. @default false */
  readonly keepFiles?: boolean;
  /** Called for every event as the child streams it. */
  readonly onEvent?: (event: ChildEvent) => void;
  /** Extra arguments for the child's node, before the entry script (tests use this). */
  readonly nodeArgs?: readonly string[];
  /** Ends the run early (Ctrl-C); the result keeps everything gathered so far. */
  readonly signal?: AbortSignal;
}

type KillReason = 'deadline' | 'hang' | 'deadlock' | 'exit-hang' | 'memory' | 'aborted';

const CHILD_ENTRY = fileURLToPath(new URL('../child/child.js', import.meta.url));
const TAIL_BYTES = 16 * 1024;

export async function superviseRun(options: SuperviseOptions): Promise<RunResult> {
  const started = performance.now();
  const { adapter, scenario, seed } = options;
  const drawn = paramsFor(runArbitrary(scenario.params as Arbitrary<unknown>, options.scheduleMode ?? 'free', seed), seed, options.path);
  const params: unknown = options.params ?? drawn.params;
  const schedule = options.schedule ?? drawn.schedule;
  const dir = await mkdtemp(join(options.workDir, `${safe(adapter.name)}.${scenario.name}.${seed}-`));
  const spec: RunSpec = {
    adapter: { name: adapter.name, url: adapter.url },
    scenario: { name: scenario.name, url: scenario.url },
    seed,
    params,
    ...(schedule !== undefined ? { schedule } : {}),
    dir,
    timeoutMs: options.timeoutMs,
    hangMs: options.hangMs ?? 3000,
    stallMs: options.stallMs ?? 1000,
    closeMs: options.closeMs ?? 5000,
    workerHeapMb: Math.max(32, Math.floor(options.memoryMb / 8)),
  };
  const exitMs = options.exitMs ?? 3000;
  const replay = replayFor(adapter.ref, scenario.ref, seed, options.path, options.scheduleMode);

  const needsTsLoader = isTypeScriptModule(adapter.url) || isTypeScriptModule(scenario.url);
  const args = [
    ...(needsTsLoader ? ['--import', import.meta.resolve('tsx')] : []),
    `--max-old-space-size=${Math.max(64, Math.floor(options.memoryMb / 2))}`,
    ...(options.nodeArgs ?? []),
    CHILD_ENTRY,
    JSON.stringify(spec),
  ];
  // Its own process group, so ending the run ends anything the logger spawned too.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });

  const events: ChildEvent[] = [];
  const stdout = new Tail(TAIL_BYTES);
  const stderr = new Tail(TAIL_BYTES);
  let killedFor: KillReason | undefined;
  let peakRssMb = 0;

  const kill = (reason: KillReason): void => {
    if (killedFor !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    killedFor = reason;
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };

  let exitTimer: NodeJS.Timeout | undefined;
  /** When the scenario said it was done or exiting: the start of time-to-exit. */
  let endedAt: number | undefined;
  const onEvent = (event: ChildEvent): void => {
    events.push(event);
    options.onEvent?.(event);
    if (event.type === 'finding' && event.finding.kind === 'hang') {
      // The watchdog has the whole picture; waiting for the deadline adds nothing.
      setTimeout(() => kill('hang'), 100).unref();
    }
    if (event.type === 'finding' && event.finding.kind === 'deadlock') {
      // Its threads will never move again. One more look at the board, then end it.
      setTimeout(() => kill('deadlock'), 300).unref();
    }
    if ((event.type === 'done' || event.type === 'exiting') && endedAt === undefined) endedAt = performance.now();
    if ((event.type === 'done' || event.type === 'exiting' || event.type === 'skip') && exitTimer === undefined) {
      exitTimer = setTimeout(() => kill('exit-hang'), exitMs);
    }
  };
  const channel = child.stdio[3] as Readable;
  const childOut = child.stdout as Readable;
  const childErr = child.stderr as Readable;
  const lines = readLines(channel, onEvent, (bad) => stderr.push(`[logjam] unreadable event from child: ${bad}\n`));
  childOut.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  childErr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));

  const deadline = setTimeout(() => kill('deadline'), options.timeoutMs);
  const onAbort = (): void => kill('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) onAbort();
  const memoryPoll = setInterval(() => {
    const rss = readRss(child.pid);
    if (rss === undefined) return;
    peakRssMb = Math.max(peakRssMb, rss.peakMb);
    if (rss.currentMb > options.memoryMb) kill('memory');
  }, 50);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    // When: the process could not be started at all (bad executable, no resources).
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    // When: the process ended; its pipes may still hold the last events.
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const exitedAt = performance.now();
  clearTimeout(deadline);
  clearTimeout(exitTimer);
  options.signal?.removeEventListener('abort', onAbort);
  clearInterval(memoryPoll);
  // A grandchild may hold the pipes open: the last events get a bounded wait, not forever.
  await Promise.race([lines, delay(1000)]);
  for (const stream of [channel, childOut, childErr]) stream.destroy();

  const findings: Finding[] = [];
  let status: RunStatus | undefined;
  let reason: string | undefined;
  let childMetrics: Partial<RunMetrics> = {};
  let versions: Record<string, string> | undefined;
  let sink: Extract<ChildEvent, { type: 'sink' }> | undefined;
  let produced: Extract<ChildEvent, { type: 'produced' }> | undefined;
  let lastProgress: Extract<ChildEvent, { type: 'progress' }> | undefined;
  let exiting: Extract<ChildEvent, { type: 'exiting' }> | undefined;
  let scheduled: Extract<ChildEvent, { type: 'schedule' }> | undefined;
  let done = false;
  let lastPhase = 'start';
  const harnessErrors: string[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'hello':
        versions = { ...event.versions };
        break;
      case 'sink':
        sink = event;
        break;
      case 'phase':
        lastPhase = event.phase;
        break;
      case 'progress':
        lastProgress = event;
        break;
      case 'produced':
        produced = event;
        break;
      case 'finding':
        // The thread closing a cycle and the watchdog may both see it: one finding per signature.
        if (!isRepeat(findings, event.finding)) findings.push(event.finding);
        break;
      case 'metrics':
        childMetrics = { ...childMetrics, ...event.metrics };
        break;
      case 'skip':
        status = 'skip';
        reason = event.reason;
        break;
      case 'harness-error':
        harnessErrors.push(event.stack ?? event.message);
        break;
      case 'exiting':
        exiting = event;
        break;
      case 'schedule':
        scheduled = event;
        break;
      case 'done':
        done = true;
        break;
    }
  }
  const threads = lastProgress?.threads ?? [];
  const evidenceBase = { phase: lastPhase, exitCode: exit.code, signal: exit.signal, stderrTail: stderr.text(4096) };

  if (killedFor === 'aborted') {
    harnessErrors.push(`interrupted during ${lastPhase}: the run was stopped before it finished`);
  }
  if (exit.spawnError !== undefined) {
    harnessErrors.push(`could not start the run's process: ${exit.spawnError.message}`);
  } else if (killedFor === 'deadline' && !findings.some((f) => f.kind === 'hang')) {
    findings.push({
      kind: 'hang',
      severity: 'error',
      message: `The run did not finish within its deadline of ${options.timeoutMs} ms (last phase: ${lastPhase})`,
      evidence: { ...evidenceBase, deadlineMs: options.timeoutMs, threads },
    });
  } else if (killedFor === 'exit-hang') {
    const after =
      exiting?.injected !== undefined ? `the injected ${exiting.injected}` : exiting !== undefined ? `process.exit(${exiting.code})` : 'the scenario finished';
    findings.push({
      kind: 'exit-hang',
      severity: 'error',
      message: `The process did not end within ${exitMs} ms after ${after}; something keeps it alive`,
      evidence: { ...evidenceBase, boundMs: exitMs, threads: threads.filter((t) => t.state !== 'done') },
    });
  } else if (killedFor === 'memory') {
    findings.push({
      kind: 'crash',
      severity: 'error',
      message: `The run's process exceeded its memory cap of ${options.memoryMb} MB resident and was ended`,
      evidence: { ...evidenceBase, cause: 'out-of-memory', capMb: options.memoryMb, peakRssMb },
    });
  } else if (killedFor === undefined && status !== 'skip') {
    const outOfMemory = exit.signal === 'SIGABRT' || /heap out of memory|Allocation failed/i.test(stderr.text());
    if (exiting !== undefined) {
      if (exiting.injected === undefined && exit.code !== exiting.code) {
        findings.push({
          kind: 'crash',
          severity: 'error',
          message: `process.exit(${exiting.code}) ended the process with ${describeExit(exit.code, exit.signal)}: an exit handler failed`,
          evidence: { ...evidenceBase, expectedCode: exiting.code },
        });
      }
    } else if (!done && harnessErrors.length === 0) {
      const message = outOfMemory
        ? `The run's process ran out of JS heap (cap ${Math.floor(options.memoryMb / 2)} MB) and aborted`
        : exit.code === 0
          ? `The process exited with code 0 before the scenario finished (during ${lastPhase}): something called process.exit`
          : `The process died with ${describeExit(exit.code, exit.signal)} during ${lastPhase}`;
      findings.push({
        kind: 'crash',
        severity: 'error',
        message,
        evidence: { ...evidenceBase, cause: outOfMemory ? 'out-of-memory' : exit.code === 0 ? 'unexpected-exit' : 'died', threads },
      });
    }
  }

  let reconciliation: Reconciliation | undefined;
  if (sink !== undefined && status !== 'skip') {
    reconciliation = await reconcile(sink, await sinkFiles(adapter.url, sink.path), produced, threads, scenario, findings);
  }

  if (status === undefined) {
    if (harnessErrors.length > 0) {
      status = 'error';
      reason = harnessErrors.join('\n');
    } else {
      status = 'pass';
    }
  }
  const verdictFindings = findings.map((f) => withSeverity(f, scenario));
  if (status === 'pass' && verdictFindings.some((f) => f.severity === 'error')) status = 'fail';

  const loadMs = childMetrics.loadMs;
  const metrics: RunMetrics = {
    ...EMPTY_METRICS,
    ...childMetrics,
    ...(reconciliation !== undefined ? pickCounts(reconciliation) : {}),
    wallMs: Math.round(performance.now() - started),
    ...(reconciliation !== undefined && loadMs !== undefined && loadMs > 0
      ? { deliveredPerSec: Math.round((reconciliation.delivered * 1000) / loadMs) }
      : {}),
    peakRssMb: Math.max(peakRssMb, childMetrics.peakRssMb ?? 0),
    ...(endedAt !== undefined && killedFor === undefined ? { exitMs: Math.round(exitedAt - endedAt) } : {}),
  };
  if (!options.keepFiles) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  return {
    adapter: adapter.name,
    scenario: scenario.name,
    seed,
    params,
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
    findings: verdictFindings,
    metrics,
    replay,
    ...(versions !== undefined ? { versions } : {}),
  };
}

/** The one command that replays a run. */
export function replayFor(adapterRef: string, scenario: string, seed: number, path?: string, mode: ScheduleMode = 'free'): Replay {
  const withPath = path !== undefined && path !== '' ? ` --path ${path}` : '';
  // Runs against releases pinned with --logger-version replay against the same releases.
  const pins = (process.env['LOGJAM_LOGGER_VERSIONS'] ?? '').split(' ').filter((p) => p !== '');
  const withPins = pins.map((p) => ` --logger-version ${p}`).join('');
  const withMode = mode !== 'free' ? ` --schedule ${mode}` : '';
  const command = `npx logjam run --adapter ${adapterRef} --scenario ${scenario} --seed ${seed}${withMode}${withPath}${withPins}`;
  const base = { command, adapter: adapterRef, scenario, seed };
  return path !== undefined && path !== '' ? { ...base, path } : base;
}

/** The scenario's oracle decides which findings fail the run; nothing else does. */
function isRepeat(findings: readonly Finding[], finding: Finding): boolean {
  const signature = finding.evidence['signature'];
  return signature !== undefined && findings.some((f) => f.kind === finding.kind && f.evidence['signature'] === signature);
}

/**
 * The scenario decides which kinds fail a run. A finding the watchdog itself judged harmless
 * (a lock-order cycle all in one thread, or under a common guard) stays information.
 */
function withSeverity(finding: Finding, scenario: AnyScenario): Finding {
  if (finding.severity === 'info') return finding;
  return { ...finding, severity: scenario.failOn.includes(finding.kind) ? 'error' : 'warning' };
}

/** The files to read back: the adapter's list for a rotating logger, else the sink file. */
async function sinkFiles(adapterUrl: string, file: string): Promise<readonly string[]> {
  try {
    const definition = asAdapter(((await import(adapterUrl)) as { default: unknown }).default, adapterUrl);
    return definition.sinkFiles?.(file) ?? [file];
  } catch {
    return [file];
  }
}

async function reconcile(
  sink: Extract<ChildEvent, { type: 'sink' }>,
  files: readonly string[],
  produced: Extract<ChildEvent, { type: 'produced' }> | undefined,
  threads: readonly ThreadStatus[],
  scenario: AnyScenario,
  findings: Finding[],
): Promise<Reconciliation> {
  // Exact counts when the child reported them; otherwise the watchdog's last look at the
  // board, a lower bound that the ledger raises to cover every record that did arrive.
  const fromBoard = producerCounts(threads);
  const counts = produced?.counts ?? fromBoard.produced;
  const present = files.filter((f) => existsSync(f));
  let seen = { producers: 1, capacity: 1 };
  if (produced === undefined) {
    for (const f of present) {
      const shape = await Ledger.scanShape(f, sink.format);
      seen = { producers: Math.max(seen.producers, shape.producers), capacity: Math.max(seen.capacity, shape.capacity) };
    }
  }
  const ledger = Ledger.createLocal({
    producers: Math.max(1, counts.length, fromBoard.targets.length, seen.producers),
    capacity: Math.max(1, ...counts, ...fromBoard.targets, seen.capacity),
  });
  for (const f of present) await ledger.deliverFile(f, sink.format);
  const result = ledger.reconcile(counts, produced?.droppedReported ?? 0);
  const exact = produced !== undefined;
  const counted = { produced: result.produced, delivered: result.delivered, droppedReported: result.droppedReported };
  if (result.lost > 0) {
    const where = scenario.lossKind === 'exit-loss' ? 'at exit' : 'in flight';
    findings.push({
      kind: scenario.lossKind,
      severity: 'error',
      message: `${result.lost} of ${result.produced} records were lost ${where}: neither delivered nor reported dropped${exact ? '' : ' (the run was cut short: produced is a lower bound)'}`,
      evidence: { ...counted, lost: result.lost, missing: result.evidence.missing, producedIsExact: exact },
    });
  }
  if (result.duplicated > 0) {
    findings.push({
      kind: 'duplicate-records',
      severity: 'error',
      message: `${result.duplicated} records were delivered more than once`,
      evidence: { ...counted, duplicated: result.duplicated, examples: result.evidence.duplicates },
    });
  }
  if (result.reordered > 0) {
    findings.push({
      kind: 'reordered-records',
      severity: 'error',
      message: `${result.reordered} records arrived after a later record of the same producer`,
      evidence: { ...counted, reordered: result.reordered, examples: result.evidence.reorders },
    });
  }
  if (result.torn > 0) {
    findings.push({
      kind: 'torn-records',
      severity: 'error',
      message: `${result.torn} delivered lines were not exactly one whole record`,
      evidence: { torn: result.torn, samples: result.evidence.torn, file: sink.path },
    });
  }
  return result;
}

/** Per-producer counts from the board: producer threads by name, or the main thread's logger. */
function producerCounts(threads: readonly ThreadStatus[]): { produced: number[]; targets: number[] } {
  const produced: number[] = [];
  const targets: number[] = [];
  for (const t of threads) {
    const m = /^producer-(\d+)$/.exec(t.name);
    const p = m !== null ? Number(m[1]) : t.name === 'main' && t.target > 0 ? 0 : -1;
    if (p < 0) continue;
    produced[p] = Math.max(produced[p] ?? 0, t.produced);
    targets[p] = Math.max(targets[p] ?? 0, t.target);
  }
  return { produced: Array.from(produced, (n) => n ?? 0), targets: Array.from(targets, (n) => n ?? 0) };
}

function pickCounts(r: Reconciliation): LedgerCounts {
  const { produced, delivered, droppedReported, lost, duplicated, reordered, torn } = r;
  return { produced, delivered, droppedReported, lost, duplicated, reordered, torn };
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code}`;
}

/** Splits the event channel into JSON lines; settles when the channel ends. */
function readLines(stream: Readable, onEvent: (event: ChildEvent) => void, onBad: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.length > 0) {
          try {
            onEvent(JSON.parse(line) as ChildEvent);
          } catch {
            onBad(line.slice(0, 200));
          }
        }
        nl = pending.indexOf('\n');
      }
    });
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

/** The last `size` characters written to a stream. */
class Tail {
  #text = '';
  constructor(readonly size: number) {}
  push(s: string): void {
    this.#text += s;
    if (this.#text.length > this.size * 2) this.#text = this.#text.slice(-this.size);
  }
  text(limit = this.size): string {
    return this.#text.slice(-limit);
  }
}

/** Current and peak resident memory of a live process, from /proc (Linux); undefined elsewhere. */
function readRss(pid: number | undefined): { currentMb: number; peakMb: number } | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { currentMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function safe(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 40);
}
