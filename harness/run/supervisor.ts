/**
 * The supervisor: runs one (adapter, scenario, seed) in its own child process with a memory
 * cap and a hard deadline, and turns what happened into the run's result.
 *
 * The steps, each in its own place:
 * - run-process.ts spawns the process and watches it (deadline, hang, exit bound, memory cap,
 *   abort), and hands back its events and how it ended;
 * - fold.ts folds the events into plain facts;
 * - here, the sink is read back into the ledger (the one step with files to read);
 * - verdict.ts decides the result, pure.
 * Whatever the child did, the result is a RunResult: a wedged, crashed or exploded child is a
 * finding, never a supervisor hang or crash.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arbitrary } from 'fast-check';
import { asAdapter, defaultExport, type Capabilities } from '../contract/adapter.js';
import type { ChildEvent, RunSpec, ThreadStatus } from '../contract/protocol.js';
import type { Replay, RunResult } from '../contract/result.js';
import { Ledger } from '../ledger/ledger.js';
import type { ScheduleMode, ScheduleSpec } from '../contract/schedule-spec.js';
import { foldEvents, type FoldedRun } from './fold.js';
import { paramsFor, runArbitrary } from './params.js';
import type { ResolvedScenario } from './resolve.js';
import { nodeArgsFor, spawnRunProcess, watchRunProcess } from './run-process.js';
import type { Launch, WarmPool } from './pool.js';
import { phasesOf, type RunTimeline } from './timeline.js';
import type { SinkReading } from './ledger-findings.js';
import { verdict } from './verdict.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import { PYTHON_ENV, shellWord } from '../util/python.js';
import { requestedNodeVersion, runNodeBinary } from '../util/run-node.js';

export interface SuperviseOptions {
  readonly adapter: {
    readonly name: string;
    readonly url: string;
    readonly ref: string;
    /** A user's adapter is asked in a describe child (harness/run/describe.ts), never imported here. */
    readonly sinkFiles?: (file: string) => Promise<readonly string[]>;
    /** What was read of it (by import for a bundled adapter, in a describe child for a user's). */
    readonly definition?: { readonly capabilities: Pick<Capabilities, 'order' | 'tcp' | 'http'> };
  };
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
  /** Where a warm process for this run may wait (pool.ts); without one, or none waiting, a cold process starts. */
  readonly pool?: WarmPool;
  /** The run after this one: once this run's process is under way, the pool starts one for it. */
  readonly next?: Launch;
  /** Called once the run is over with where its time went (`npm run bench`). */
  readonly onTimeline?: (timeline: RunTimeline) => void;
}

export async function superviseRun(options: SuperviseOptions): Promise<RunResult> {
  const started = performance.now();
  const epoch = (ms: number): number => performance.timeOrigin + ms;
  const { adapter, scenario, seed } = options;
  const drawn = paramsFor(runArbitrary(scenario.params as Arbitrary<unknown>, options.scheduleMode ?? 'free', seed), seed, options.path);
  const params: unknown = options.params ?? drawn.params;
  const schedule = options.schedule ?? drawn.schedule;
  const dir = await mkdtemp(join(options.workDir, `${safe(adapter.name)}.${scenario.name}.${seed}-`));
  const spec = runSpecFor(options, params, schedule, dir);
  const limits = { timeoutMs: options.timeoutMs, exitMs: options.exitMs ?? 3000, memoryMb: options.memoryMb, hangMs: spec.hangMs };

  const warm = options.pool?.take(launchFor(options), spec);
  const spawnedAt = warm?.spawnedAt ?? epoch(performance.now());
  const child = warm?.child ?? spawnRunProcess(spec, { memoryMb: options.memoryMb, ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}) });
  if (options.next !== undefined) options.pool?.prepare(options.next);
  const { events, end } = await watchRunProcess(child, {
    ...limits,
    ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });

  // The process has ended and its last events are in (the drain is bounded).
  const exitedAt = epoch(performance.now());
  const folded = foldEvents(events);
  const sink = folded.sink !== undefined && folded.skipped === undefined ? await readSink(folded.sink, adapter, folded) : undefined;
  // The sink is read: nothing after this needs the scratch folder.
  if (!options.keepFiles) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  const finished = performance.now();
  // The last report of the child's marks: each one holds the steps of those before it.
  const marks = events.filter((e): e is Extract<ChildEvent, { type: 'marks' }> => e.type === 'marks').at(-1);
  const timeline: RunTimeline = {
    warm: warm !== undefined,
    due: epoch(started),
    spawned: spawnedAt,
    child: marks?.marks ?? {},
    ...(marks?.threads !== undefined ? { threads: marks.threads } : {}),
    exited: exitedAt,
    end: epoch(finished),
  };
  const judged = verdict(
    {
      adapter: adapter.name,
      seed,
      params,
      ...(schedule !== undefined ? { schedule } : {}),
      replay: replayFor(adapter, scenario.ref, seed, options.path, options.scheduleMode),
      folded,
      end,
      limits,
      ...(sink !== undefined ? { sink } : {}),
      wallMs: Math.round(finished - started),
    },
    scenario,
  );
  options.onTimeline?.(timeline);
  return { ...judged, phases: phasesOf(timeline) };
}

/** Node's arguments and the modules of a run: what a warm process for it must match. */
export function launchFor(options: Pick<SuperviseOptions, 'adapter' | 'scenario' | 'memoryMb' | 'nodeArgs'>): Launch {
  return {
    nodeArgs: nodeArgsFor(options.adapter.url, options.scenario.url, { memoryMb: options.memoryMb, ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}) }),
    scenarioUrl: options.scenario.url,
    adapterUrl: options.adapter.url,
    node: runNodeBinary(),
  };
}

/** What the child is asked to do, with the supervisor's defaults filled in. */
function runSpecFor(options: SuperviseOptions, params: unknown, schedule: ScheduleSpec | undefined, dir: string): RunSpec {
  return {
    adapter: { name: options.adapter.name, url: options.adapter.url },
    scenario: { name: options.scenario.name, url: options.scenario.url },
    seed: options.seed,
    params,
    ...(schedule !== undefined ? { schedule } : {}),
    dir,
    timeoutMs: options.timeoutMs,
    hangMs: options.hangMs ?? 3000,
    stallMs: options.stallMs ?? 1000,
    closeMs: options.closeMs ?? 5000,
    // Half the process's cap, not an eighth: the process's resident cap is the bound; a worker
    // heap far below it made a logger holding a burst's requests in flight (log4js-http, 11 791
    // per thread) collect garbage for seconds inside a log call, a hang of logjam's making that
    // the logger alone, with V8's default heap, never shows.
    workerHeapMb: Math.max(32, Math.floor(options.memoryMb / 2)),
    memoryMb: options.memoryMb,
  };
}

/** What a replay command needs of the adapter: as the user named it, and where it loads from. */
export interface ReplayAdapter {
  readonly ref: string;
  readonly url: string;
}

/**
 * The interpreter a Python adapter's run used, when one was named (`--python` or LOGJAM_PYTHON);
 * undefined for a JS adapter, or for `python3` on PATH by default.
 */
export function pythonFor(adapter: ReplayAdapter, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!isPythonAdapterUrl(adapter.url)) return undefined;
  const named = env[PYTHON_ENV];
  return named !== undefined && named !== '' ? named : undefined;
}

/** The one command that replays a run. */
export function replayFor(adapter: ReplayAdapter, scenario: string, seed: number, path?: string, mode: ScheduleMode = 'free'): Replay {
  const withPath = path !== undefined && path !== '' ? ` --path ${path}` : '';
  // Runs against releases pinned with --logger-version replay against the same releases.
  const pins = (process.env['LOGJAM_LOGGER_VERSIONS'] ?? '').split(' ').filter((p) => p !== '');
  const withPins = pins.map((p) => ` --logger-version ${p}`).join('');
  const withMode = mode !== 'free' ? ` --schedule ${mode}` : '';
  // A Python run replays with the same interpreter: another one may have other loggers, or none.
  const python = pythonFor(adapter);
  const withPython = python !== undefined ? ` --python ${shellWord(python)}` : '';
  // A run on another Node (`--node`) replays on the same release.
  const node = requestedNodeVersion();
  const withNode = node !== undefined ? ` --node ${node}` : '';
  const command = `npx logjam run --adapter ${adapter.ref} --scenario ${scenario} --seed ${seed}${withMode}${withPath}${withPins}${withPython}${withNode}`;
  const base = { command, adapter: adapter.ref, scenario, seed, ...(python !== undefined ? { python } : {}), ...(node !== undefined ? { node } : {}) };
  return path !== undefined && path !== '' ? { ...base, path } : base;
}

/**
 * What the supervisor reads of the adapter after the run: the files to read back (the adapter's
 * list for a rotating logger, else the sink file) and whether it promises each producer's order.
 */
async function readBack(adapter: SuperviseOptions['adapter'], file: string): Promise<{ files: readonly string[]; ordered: boolean; viaCollector: boolean }> {
  const viaCollector = (c: Pick<Capabilities, 'tcp' | 'http'> | undefined): boolean => c?.tcp === true || c?.http === true;
  if (adapter.sinkFiles !== undefined) {
    // A user's adapter: its files asked in a describe child, its order promise read there at describe time.
    const caps = adapter.definition?.capabilities;
    return { files: await adapter.sinkFiles(file), ordered: caps?.order !== 'none', viaCollector: viaCollector(caps) };
  }
  try {
    const definition = asAdapter(defaultExport(await import(adapter.url)), adapter.url);
    return { files: definition.sinkFiles?.(file) ?? [file], ordered: definition.capabilities.order !== 'none', viaCollector: viaCollector(definition.capabilities) };
  } catch {
    // A Python adapter: its collector, if any, runs in the run's Node process, which outlives the interpreter.
    return { files: [file], ordered: true, viaCollector: false };
  }
}

/**
 * Reads the sink back into the ledger. Exact counts when the child reported them; otherwise
 * the watchdog's last look at the board, a lower bound that the ledger raises to cover every
 * record that did arrive.
 */
async function readSink(sink: Extract<ChildEvent, { type: 'sink' }>, adapter: SuperviseOptions['adapter'], folded: FoldedRun): Promise<SinkReading> {
  const back = await readBack(adapter, sink.path);
  // A Python adapter names its files in the sink event (its sink_files); a JS one through its module.
  const files = sink.files ?? back.files;
  const { ordered, viaCollector } = back;
  const { produced } = folded;
  const fromBoard = producerCounts(folded.threads);
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
  return { reconciliation: ledger.reconcile(counts, produced?.droppedReported ?? 0, produced?.refused ?? []), exact: produced !== undefined, path: sink.path, ordered, viaCollector };
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

function safe(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 40);
}
