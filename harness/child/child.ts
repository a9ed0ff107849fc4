/**
 * Entry of a run's child process: one (adapter, scenario, seed) per process.
 *
 * The main thread drives the scenario; the watchdog thread watches the status board; every
 * event goes to the supervisor on file descriptor 3 as it happens. Nothing here keeps the
 * process alive once the scenario is done: whether the logger lets it exit is under test.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { asAdapter, type AdapterDefinition, type CollectorAddress, type HttpBody, type LoggerInstance, type ProcessSetup, defaultExport } from '../contract/adapter.js';
import { Board, FIRST_PRODUCER_SLOT, MAIN_SLOT, MAX_PRODUCERS, MAX_THREADS } from '../sync/board.js';
import { EventChannel } from '../sync/channel.js';
import { closeWithDeadline, errorMessage, shutdownFinding, type CloseOutcome } from '../util/deadline.js';
import { createHistogram, mergeHistograms, summarise } from '../util/latency.js';
import type { ProducerData } from './producer-worker.js';
import type { ChildEvent, ChildMark, ProducerMessage, RunSpec, ThreadStartup, WarmStart } from '../contract/protocol.js';
import type { Finding } from '../contract/result.js';
import { createRandom, deriveSeed } from '../util/random.js';
import { encodeRecord, PayloadSource } from '../ledger/record.js';
import type { HttpCollectorStats } from '../contract/sink-spec.js';
import type { MainLogOutcome, ProducerOptions, ProducersOutcome, ScenarioContext } from '../contract/scenario.js';
import type { SinkOptions } from '../sinks/sinks.js';
import { attachRuntime, createSyncShared } from '../sync/runtime.js';
import { Mutex } from '../sync/locks.js';
import { readOwnRunQueueWait } from '../util/cpu-clock.js';
import { logCall } from './log-call.js';
import { CallStats, type CallSummary } from '../contract/call-stats.js';
import { levelAt } from '../contract/level-mix.js';
import { LoopStallMeter } from '../watchdog/loop-stall.js';
import { startRelay, type Relay, type RelayOptions, type RelayStats } from '../sinks/relay.js';
import { startScheduler, startWatchdog } from '../watchdog/watchdog.js';
import { createScheduleShared, scheduleHeldMs, startSchedule, stopSchedule } from '../sync/schedule.js';
import { Collector, type CollectorFaults, type FdShared, type HttpCollectorFaults } from '../sinks/collector.js';
import { fdSharedReason } from '../sinks/fd-limit.js';
import { runProcesses } from './processes.js';
import { installWorkerTracker, loggerWorkers } from './worker-tracker.js';
import { asScenario } from '../contract/scenario.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import { runPythonBridge } from './python-bridge.js';
import { receiveSpec } from './warm.js';

/** Epoch milliseconds, the clock the supervisor's own marks use too. */
const now = (): number => performance.timeOrigin + performance.now();
// Static imports are evaluated before this line: the harness is loaded.
const marks: Partial<Record<ChildMark, number>> = { process: performance.timeOrigin, harness: now() };
/** The producer threads' start-up, summed over runProducers calls (ThreadStartup). */
let threadStartup: { -readonly [K in keyof ThreadStartup]: number } | undefined;
/** The scenario's load started (epoch ms): the earliest first record counts. */
const firstRecord = (at: number): void => {
  marks['first-record'] = Math.min(marks['first-record'] ?? at, at);
};
/** The scenario's load ended (epoch ms): the latest last record counts. */
const lastRecord = (at: number): void => {
  marks['last-record'] = Math.max(marks['last-record'] ?? at, at);
};
/** Where the run's time went, for the report's phases (harness/run/timeline.ts); no verdict reads it. */
const sendMarks = (): void => send({ type: 'marks', marks, ...(threadStartup !== undefined ? { threads: threadStartup } : {}) });

// Captured before any logger loads: loggers under test patch process and console methods.
const exitProcess = process.exit.bind(process);
/** Ends the process without running 'exit' listeners again (Node's own last step of exit). */
const reallyExit: (code: number) => void =
  (process as unknown as { reallyExit?: (code: number) => void }).reallyExit?.bind(process) ??
  (() => process.kill(process.pid, 'SIGKILL'));

// A cold process gets its run on the command line; a warm one (pool.ts) first loads what the
// pool expects it to run, then blocks until the supervisor hands it the run on stdin.
const spec: RunSpec = process.argv[2] === '--warm' ? await receiveSpec(JSON.parse(process.argv[3] ?? '{}') as WarmStart) : (JSON.parse(process.argv[2] ?? '{}') as RunSpec);
marks.spec = now();
const channel = EventChannel.create(3);
const send = (event: ChildEvent): void => channel.send(event);
// What this process runs on, as it sees it: the report records this, not what was asked (`--node`).
send({ type: 'runtime', node: process.version });

// The monitor does not change what Node does with the error (the process still dies as it
// would); it only tells the supervisor what escaped, synchronously, before the process ends.
process.on('uncaughtExceptionMonitor', (error: unknown, origin: string) => {
  // The crash a scenario injects on purpose (ctx.crash) is not the logger's error.
  if (error instanceof InjectedCrash) return;
  reportEscaped(error, origin, `An error escaped the logger (${origin})`);
});

/** The uncaught exception `ctx.crash('uncaught-exception')` throws. */
class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

function reportEscaped(error: unknown, origin: string, what: string): void {
  const e = error instanceof Error ? error : new Error(String(error));
  send({
    type: 'finding',
    finding: {
      kind: 'unhandled-error',
      severity: 'error',
      message: `${what}: ${e.message}`,
      evidence: { origin, message: e.message, stack: e.stack ?? '', phase: currentPhase },
    },
  });
}

const board = Board.create();
// Before any worker starts: every thread of the run, the logger's own included, inherits it.
const scheduleShared = spec.schedule !== undefined ? createScheduleShared(spec.schedule, MAX_THREADS) : undefined;
const syncShared = createSyncShared(board, channel.handle, scheduleShared);
const mainRow = attachRuntime(syncShared, MAIN_SLOT, 'main').row;
const stalls = new LoopStallMeter(spec.stallMs, (finding) => send({ type: 'finding', finding }), scheduleHeldMs, () => readOwnRunQueueWait());
mainRow.onSet = (op) => stalls.enter(op);
mainRow.set('starting', 'load-adapter');
const heartbeat = setInterval(() => {
  stalls.beat();
  mainRow.beat();
}, 10);
heartbeat.unref();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
startWatchdog(syncShared, channel, { hangMs: spec.hangMs, sinkDir: spec.dir });
if (scheduleShared !== undefined && spec.schedule?.mode === 'controlled') startScheduler(scheduleShared, syncShared, channel, spec.schedule.preemptions);

let currentPhase = 'load-adapter';
const phase = (name: string): void => {
  currentPhase = name;
  send({ type: 'phase', phase: name, elapsedMs: channel.elapsedMs() });
};

async function main(): Promise<void> {
  const scenario = asScenario(defaultExport(await import(spec.scenario.url)), spec.scenario.url);
  if (isPythonAdapterUrl(spec.adapter.url)) {
    // The load runs in the Python driver's threads, which the bridge watches and judges (it
    // alone can ask them for their stacks); this thread only waits, so it leaves the board's
    // hang verdict to the bridge.
    mainRow.set('done', 'idle');
    marks.scenario = now();
    // Sent now too: a Python scenario that ends its process (exit, crash) never returns here.
    sendMarks();
    await runPythonBridge({ spec, scenario, send, exit: exitProcess });
    // The driver's steps are its own: the run's phases time the bridge from its start to its return.
    marks['scenario-end'] = marks.done = now();
    sendMarks();
    loopDelay.disable();
    return;
  }
  // Before the adapter's module loads, so the logger's Worker is the tracked one.
  if (scenario.trackWorkers === true) installWorkerTracker();
  const adapter = asAdapter(defaultExport(await import(spec.adapter.url)), spec.adapter.url);
  send({ type: 'hello', pid: process.pid, versions: (await adapter.versions?.()) ?? {} });
  marks.adapter = now();
  const skip = scenario.skip?.(adapter.capabilities, adapter);
  if (skip !== undefined) {
    send({ type: 'skip', reason: skip });
    return;
  }
  const file = join(spec.dir, 'sink.log');
  send({ type: 'sink', path: file, format: adapter.capabilities.format });
  stalls.arm();
  mainRow.set('running', 'idle');
  marks.scenario = now();
  await scenario.run(createContext(adapter, file), spec.params);
  marks['scenario-end'] = now();
  // The loggers are closed: what the collector still holds goes to the sink before the verdict.
  // Left open, they may still drain at exit, and the collector keeps receiving until then.
  if (scenario.leavesLoggersOpen !== true) await runCollector?.close(spec.closeMs);
  loopDelay.disable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  send({
    type: 'metrics',
    metrics: {
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    },
  });
  mainRow.set('done', 'idle');
  stopSchedule(scheduleShared);
  // A stall that ended just now is reported before the verdict, not lost to the exit.
  stalls.beat();
  marks.done = now();
  sendMarks();
  send({ type: 'done' });
}

function createContext(adapter: AdapterDefinition, file: string): ScenarioContext {
  return {
    spec,
    adapter,
    random: createRandom(spec.seed),
    file,
    phase,
    finding: (finding) => send({ type: 'finding', finding }),
    metrics: (metrics) => send({ type: 'metrics', metrics }),
    // The process-wide logger's own drop counter (a shared queue's) counts too.
    produced: (counts, droppedReported, named = []) => {
      const setupDropped = processSetup?.dropped?.() ?? 0;
      // The ledger counts a record named twice once.
      const refused = threwRefs.length > 0 ? [...named, ...threwRefs] : named;
      lastProduced = { counts, droppedReported, setupDropped, refused };
      send({ type: 'produced', counts, droppedReported: droppedReported + setupDropped, ...(refused.length > 0 ? { refused } : {}) });
    },
    createLock: (className, options) => Mutex.create(className, options).handle,
    runProducers: (options) => runProducers(adapter, file, options),
    runProcesses: async (options) => {
      await ensureSetup(adapter, file, {});
      const collector = await collectorFor(adapter);
      // The processes log from their start to their close: the run's load, coarsely.
      firstRecord(now());
      try {
        return await runProcesses({ spec, file, row: mainRow, send, ...(collector !== undefined ? { collector } : {}) }, options);
      } finally {
        lastRecord(now());
      }
    },
    createLogger: async (options = {}) => {
      await ensureSetup(adapter, file, {});
      const collector = await collectorFor(adapter);
      const logger = await adapterCall('create()', () => adapter.create({
        file,
        producer: options.producer ?? 0,
        level: options.level ?? 'debug',
        sink: {},
        ...(collector !== undefined ? { collector } : {}),
        ...(options.stream !== undefined ? { stream: options.stream } : {}),
      }));
      // The scenario logs through it by itself, unseen: its load starts now and ends when it closes a logger.
      firstRecord(now());
      return logger;
    },
    collector: (faults) => startCollector(file, faults),
    httpCollector: (faults) => startHttpCollector(file, faults, adapter.capabilities.httpBody),
    loggerWorkers,
    crash: (how) => {
      mainRow.set('done', 'exit');
      marks['scenario-end'] = marks.done = now();
      sendMarks();
      send({ type: 'exiting', code: how === 'sigterm' ? 143 : 1, injected: how });
      if (how === 'sigterm') process.kill(process.pid, 'SIGTERM');
      else
        setImmediate(() => {
          throw new InjectedCrash('logjam: the crash crash-mid-write injects, thrown from a callback while records are in flight');
        });
      // Never settles: the process ends under it.
      return new Promise<never>(() => undefined);
    },
    logFromMain: (options) => logFromMain(adapter, file, options),
    producedSoFar: () => {
      let n = board.read(MAIN_SLOT).produced;
      for (let p = 0; p < MAX_PRODUCERS; p++) n += board.read(FIRST_PRODUCER_SLOT + p).produced;
      return n;
    },
    closeProcess: async () => {
      await reportProcessClose();
      await stopRelay();
    },
    reconfigure: async () => {
      mainRow.set('running', 'reconfigure');
      await processSetup?.reconfigure?.();
      mainRow.set('running', 'idle');
    },
    close: async (logger) => {
      lastRecord(now());
      mainRow.set('closing', 'close');
      const closed = await closeWithDeadline(logger, spec.closeMs);
      const all = closed.ok ? await closeProcess() : closed;
      mainRow.set('running', 'idle');
      return all;
    },
    exit: (code) => {
      stopSchedule(scheduleShared);
      stalls.beat();
      mainRow.set('done', 'exit');
      marks['scenario-end'] = marks.done = now();
      sendMarks();
      send({ type: 'exiting', code });
      try {
        exitProcess(code);
      } catch (error: unknown) {
        // An 'exit' listener (the logger's exit hook) threw out of process.exit(). In an
        // application that error is uncaught at the call site and the process dies on the spot,
        // before any I/O callback could let the logger finish; do exactly that here.
        reportEscaped(error, 'process.exit', `An error escaped the logger's exit hook during process.exit(${code})`);
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        reallyExit(process.exitCode === undefined ? code : Number(process.exitCode));
      }
      throw new ExitInterrupted();
    },
  };
}

let processSetup: ProcessSetup | undefined;
let setupDone = false;
let processClosed = false;
/** The run's collector (TCP or HTTP, never both: an adapter declares one or the other), closed before the verdict. */
let runCollector: { close(ms: number): Promise<unknown> } | undefined;
let collectorStarting: Promise<Collector> | undefined;
let httpCollectorStarting: Promise<Collector<HttpCollectorFaults, HttpCollectorStats>> | undefined;

/** The run's TCP collector: the first caller's faults start it; every later caller shares it. */
function startCollector(file: string, faults: CollectorFaults = {}): Promise<Collector> {
  if (httpCollectorStarting !== undefined) throw new Error('a TCP collector was asked for in a run that has an HTTP one: this is a harness bug');
  collectorStarting ??= Collector.start(file, faults).then((c) => (runCollector = c));
  return collectorStarting;
}

/** The run's HTTP collector: the first caller's faults start it; every later caller shares it. */
function startHttpCollector(file: string, faults: HttpCollectorFaults = {}, body: HttpBody = 'ndjson'): Promise<Collector<HttpCollectorFaults, HttpCollectorStats>> {
  if (collectorStarting !== undefined) throw new Error('an HTTP collector was asked for in a run that has a TCP one: this is a harness bug');
  const notJudged = ({ connections, limit }: FdShared): void => send({ type: 'skip', reason: fdSharedReason(connections, limit) });
  httpCollectorStarting ??= Collector.startHttp(file, faults, body, notJudged).then((c) => (runCollector = c));
  return httpCollectorStarting;
}

/** The collector's address for an adapter that sends over TCP or HTTP; none for the others. */
async function collectorFor(adapter: AdapterDefinition): Promise<CollectorAddress | undefined> {
  if (adapter.capabilities.http === true) return (await startHttpCollector(join(spec.dir, 'sink.log'), {}, adapter.capabilities.httpBody)).address;
  if (adapter.capabilities.tcp !== true) return undefined;
  return (await startCollector(join(spec.dir, 'sink.log'))).address;
}

/** The adapter's once-per-process configuration, in this thread, before any producer starts. */
async function ensureSetup(adapter: AdapterDefinition, file: string, sink: SinkOptions, extra: SinkExtras = {}): Promise<void> {
  if (setupDone) return;
  setupDone = true;
  if (adapter.setup === undefined) return;
  mainRow.set('starting', 'create-logger');
  const collector = await collectorFor(adapter);
  const setup = adapter.setup.bind(adapter);
  processSetup = await adapterCall('setup()', () => setup({ file, level: 'debug', sink, ...extra, ...(collector !== undefined ? { collector } : {}) }));
  // Registered after the logger's own exit hook (installed by its setup), so it runs after
  // that hook has drained: what the logger dropped and counted while draining at exit is
  // reported dropped, not lost.
  if (processSetup.dropped !== undefined) process.on('exit', reportExitDrops);
}

/** The last `produced` report: the producers' counts, their loggers' drops, the process-wide logger's drops then. */
let lastProduced:
  | { readonly counts: readonly number[]; readonly droppedReported: number; readonly setupDropped: number; readonly refused: readonly { readonly producer: number; readonly seq: number }[] }
  | undefined;

function reportExitDrops(): void {
  if (lastProduced === undefined) return;
  const setupDropped = processSetup?.dropped?.() ?? 0;
  if (setupDropped <= lastProduced.setupDropped) return;
  // The supervisor keeps the last report; events are written synchronously, so this one lands.
  const { refused } = lastProduced;
  send({ type: 'produced', counts: lastProduced.counts, droppedReported: lastProduced.droppedReported + setupDropped, ...(refused.length > 0 ? { refused } : {}) });
}

/** What a scenario adds to an adapter's context besides the main sink. */
interface SinkExtras {
  readonly secondFile?: string;
  readonly secondSink?: SinkOptions;
  readonly bufferBytes?: number;
}

function sinkExtras(options: Pick<ProducerOptions, 'second' | 'bufferBytes'>): SinkExtras {
  return {
    ...(options.second !== undefined ? { secondFile: join(spec.dir, 'second.log'), secondSink: options.second.sink } : {}),
    ...(options.bufferBytes !== undefined ? { bufferBytes: options.bufferBytes } : {}),
  };
}

let relay: Relay | undefined;

/**
 * The paths loggers open: the sink file, or paced named pipes draining into it, one for the
 * main thread's loggers and one per producer thread (`writers`), so that writers never share a
 * pipe (see relay.ts).
 */
async function sinkPaths(file: string, options: RelayOptions | undefined, writers: number): Promise<{ main: string; producer: (p: number) => string }> {
  if (options === undefined) return { main: file, producer: () => file };
  if (relay !== undefined) throw new Error('a paced sink was asked for twice in one run: this is a harness bug');
  const fifos = [join(spec.dir, 'sink.fifo'), ...Array.from({ length: writers }, (_, p) => join(spec.dir, `sink.${p}.fifo`))];
  const r = await startRelay(fifos, file, options);
  relay = r;
  return { main: r.paths[0] as string, producer: (p) => r.paths[p + 1] as string };
}

/** Stops the paced pipe, once every logger has closed, and says what it drained. */
async function stopRelay(): Promise<RelayStats | undefined> {
  const r = relay;
  relay = undefined;
  return r?.stop(spec.closeMs);
}

/**
 * The records whose log() call threw, on the harness's own producer paths (the main thread's and
 * the producer threads' loops): the caller was told, so the ledger counts one that never arrived
 * as refused, not lost. Added to what the scenario names in ctx.produced.
 */
const threwRefs: { producer: number; seq: number }[] = [];

/**
 * Errors thrown out of log calls: an error escaped the logger into the application. Keeps the
 * calls' record numbers for the ledger and returns the summary without them (they can be many).
 */
function reportThrows<T extends CallSummary>(thread: string, producer: number, calls: T): Omit<T, 'threwSeqs'> {
  const { threwSeqs, ...summary } = calls;
  for (const seq of threwSeqs ?? []) threwRefs.push({ producer, seq });
  const first = calls.firstThrow;
  if (calls.threw > 0 && first !== undefined) {
    send({
      type: 'finding',
      finding: {
        kind: 'unhandled-error',
        severity: 'error',
        message: `${calls.threw} log call(s) on ${thread} threw into the caller; the first, on record ${first.seq}: ${first.message}`,
        evidence: { thread, threw: calls.threw, seq: first.seq, message: first.message, stack: first.stack },
      },
    });
  }
  return summary;
}

/** The process-wide flush and stop, with the close deadline; reported like a logger's close. */
async function closeProcess(): Promise<{ readonly ok: boolean; readonly ms: number; readonly error?: string }> {
  if (processClosed || processSetup === undefined) return { ok: true, ms: 0 };
  processClosed = true;
  return closeWithDeadline(processSetup, spec.closeMs);
}

async function logFromMain(
  adapter: AdapterDefinition,
  file: string,
  options: Omit<ProducerOptions, 'threads' | 'batch' | 'context' | 'pauseMs'>,
): Promise<MainLogOutcome> {
  const path = (await sinkPaths(file, options.relay, 0)).main;
  const extras = sinkExtras(options);
  await ensureSetup(adapter, path, options.sink ?? {}, extras);
  mainRow.set('starting', 'create-logger');
  const collector = await collectorFor(adapter);
  const logger: LoggerInstance = await adapterCall('create()', () => adapter.create({ file: path, producer: 0, level: 'debug', sink: options.sink ?? {}, ...extras, ...(collector !== undefined ? { collector } : {}) }));
  const log = logCall(logger, options.holdLock, options.holdEvery);
  const payloads = new PayloadSource(createRandom(deriveSeed(spec.seed, 0)), options.minPayload, options.maxPayload, options.text);
  const messages = Array.from({ length: options.records }, (_, seq) => encodeRecord(0, seq, payloads.payload(seq)));
  const histogram = createHistogram();
  const calls = new CallStats(options.slowCallMs ?? 50, () => readOwnRunQueueWait());
  startSchedule(scheduleShared);
  mainRow.target(options.records);
  mainRow.set('running', 'log');
  const started = performance.now();
  firstRecord(performance.timeOrigin + started);
  let produced = 0;
  for (const message of messages) {
    const level = options.mix !== undefined ? levelAt(options.mix, 0, produced) : options.level;
    const t0 = performance.now();
    try {
      log(level, message, produced);
    } catch (error: unknown) {
      calls.threw(produced, error);
    }
    const ns = Math.round((performance.now() - t0) * 1e6);
    histogram.recordValue(Math.max(1, ns));
    calls.time(produced, ns / 1e6);
    mainRow.produced(++produced);
  }
  const ended = performance.now();
  lastRecord(performance.timeOrigin + ended);
  const wallMs = ended - started;
  mainRow.set('running', 'idle');
  const latency = summarise(histogram);
  histogram.destroy();
  const summary = reportThrows('main', 0, calls.summary());
  return {
    logger,
    produced,
    latency,
    wallMs,
    calls: { ...summary, producer: 0, thread: 'main' },
    ...(relay !== undefined ? { stopRelay: async () => (await stopRelay()) ?? { bytes: 0, lines: 0, reads: 0, bytesAfterResume: 0 } } : {}),
  };
}

async function runProducers(adapter: AdapterDefinition, file: string, options: ProducerOptions): Promise<ProducersOutcome> {
  if (adapter.capabilities.threads === false && options.threads > 1) {
    throw new Error(`adapter ${adapter.name} declares threads: false, so the scenario must not start ${options.threads} producer threads: this is a harness bug`);
  }
  const paths = await sinkPaths(file, options.relay, options.threads);
  const extras = sinkExtras(options);
  await ensureSetup(adapter, paths.main, options.sink ?? {}, extras);
  const collector = await collectorFor(adapter);
  const gate = new SharedArrayBuffer(8);
  const gateWords = new Int32Array(gate);
  const gateMs = Math.max(1000, spec.timeoutMs);
  const results = new Map<number, Extract<ProducerMessage, { type: 'result' }>>();
  const spawnedAt = now();
  const workers: Worker[] = [];
  const settled: Promise<void>[] = [];
  for (let p = 0; p < options.threads; p++) {
    const data: ProducerData = {
      adapterUrl: spec.adapter.url,
      producer: p,
      slot: FIRST_PRODUCER_SLOT + p,
      gate,
      gateMs,
      closeMs: spec.closeMs,
      file: options.file ?? paths.producer(p),
      records: options.records,
      batch: options.batch,
      minPayload: options.minPayload,
      maxPayload: options.maxPayload,
      text: options.text ?? 'ascii',
      level: options.level,
      seed: deriveSeed(spec.seed, p),
      sink: options.sink ?? {},
      ...(options.holdLock !== undefined ? { holdLock: options.holdLock } : {}),
      holdEvery: options.holdEvery ?? 1,
      slowCallMs: options.slowCallMs ?? 50,
      ...(options.mix !== undefined ? { mix: options.mix } : {}),
      ...(options.pauseMs !== undefined ? { pauseMs: options.pauseMs } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
      ...(extras.secondFile !== undefined ? { secondFile: extras.secondFile, secondSink: extras.secondSink ?? {} } : {}),
      ...(extras.bufferBytes !== undefined ? { bufferBytes: extras.bufferBytes } : {}),
      ...(collector !== undefined ? { collector } : {}),
    };
    const worker = new Worker(new URL('./producer-worker.js', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: spec.workerHeapMb },
    });
    workers.push(worker);
    settled.push(watchProducer(worker, p, results));
  }

  mainRow.set('waiting', 'await-producers');
  // Open the gate only when every producer is ready, so they start logging together. Polled
  // with short waits: the main thread must keep its event loop turning for worker messages.
  const readyBy = Date.now() + gateMs;
  while (Atomics.load(gateWords, 0) < options.threads && Date.now() < readyBy) {
    const value = Atomics.load(gateWords, 0);
    const waited = Atomics.waitAsync(gateWords, 0, value, 50);
    if (waited.async) await waited.value;
    if (failures > 0) break;
  }
  const started = performance.now();
  startSchedule(scheduleShared, options.threads);
  Atomics.store(gateWords, 1, 1);
  Atomics.notify(gateWords, 1);
  await Promise.all(settled);
  let relayStats: RelayStats | undefined;
  if (options.closeProcess !== false) {
    await reportProcessClose();
    relayStats = await stopRelay();
  }
  const wallMs = performance.now() - started;
  mainRow.set('running', 'idle');

  noteProducerTimes(spawnedAt, performance.timeOrigin + started, [...results.values()].map((r) => r.at));
  const produced = Array.from({ length: options.threads }, (_, p) => results.get(p)?.produced ?? board.read(FIRST_PRODUCER_SLOT + p).produced);
  const droppedReported = [...results.values()].reduce((sum, r) => sum + r.dropped, 0);
  const merged = mergeHistograms([...results.values()].map((r) => r.latency));
  const latency = summarise(merged);
  merged.destroy();
  for (const r of results.values()) {
    if (r.closeTimedOut || r.closeError !== undefined) {
      reportShutdown(`producer-${r.producer}'s logger shutdown`, { ok: false, ms: r.closeMs, ...(r.closeError !== undefined ? { error: r.closeError } : {}) }, { producer: r.producer });
    }
  }
  const calls = [...results.values()].map((r) => reportThrows(`producer-${r.producer}`, r.producer, { ...r.calls, producer: r.producer, thread: `producer-${r.producer}` }));
  return {
    produced,
    droppedReported,
    latency,
    wallMs,
    calls,
    ...(relayStats !== undefined ? { relay: relayStats } : {}),
    ...(extras.secondFile !== undefined ? { secondFile: extras.secondFile } : {}),
  };
}

/**
 * The producers' steps into the run's marks: their first and last log calls (the gate's opening
 * when none logged), and how long their start-up took from their spawn (ThreadStartup).
 */
function noteProducerTimes(spawnedAt: number, gateAt: number, at: readonly Extract<ProducerMessage, { type: 'result' }>['at'][]): void {
  const firsts = at.flatMap((a) => (a.first !== undefined ? [a.first] : []));
  const lasts = at.flatMap((a) => (a.last !== undefined ? [a.last] : []));
  firstRecord(firsts.length > 0 ? Math.min(...firsts) : gateAt);
  lastRecord(lasts.length > 0 ? Math.max(...lasts) : gateAt);
  if (at.length === 0) return;
  const span = (step: 'harness' | 'adapter' | 'ready'): number => Math.max(0, Math.max(...at.map((a) => a[step])) - spawnedAt);
  const t = (threadStartup ??= { harness: 0, adapter: 0, ready: 0 });
  t.harness += span('harness');
  t.adapter += span('adapter');
  t.ready += span('ready');
}

async function reportProcessClose(): Promise<void> {
  mainRow.set('closing', 'close');
  reportShutdown("the logger's process-wide shutdown", await closeProcess(), {});
}

/** A shutdown that outlived the close bound is an exit-hang; one that failed, an error out of the logger. */
function reportShutdown(what: string, closed: CloseOutcome, evidence: Record<string, unknown>): void {
  const finding = shutdownFinding(what, closed, spec.closeMs, evidence);
  if (finding !== undefined) send({ type: 'finding', finding });
}

/** Producers that failed or died: once one has, nobody waits for it at the start gate. */
let failures = 0;

/** Settles when the producer has reported and its thread has exited (or been ended). */
function watchProducer(worker: Worker, producer: number, results: Map<number, Extract<ProducerMessage, { type: 'result' }>>): Promise<void> {
  return new Promise<void>((resolve) => {
    let exitTimer: NodeJS.Timeout | undefined;
    // When: the worker posted its result or its failure.
    worker.on('message', (message: ProducerMessage) => {
      if (message.type === 'result') {
        results.set(producer, message);
        // The logger is closed, so the thread should end by itself; if a handle of the logger
        // keeps it alive, say so and end it, or the run's own exit would be blamed.
        exitTimer = setTimeout(() => {
          send({
            type: 'finding',
            finding: {
              kind: 'exit-hang',
              severity: 'warning',
              message: `producer-${producer}'s thread did not exit within ${spec.closeMs} ms after its logger was closed; a handle of the logger keeps it alive`,
              evidence: { producer, boundMs: spec.closeMs },
            },
          });
          void worker.terminate();
        }, spec.closeMs);
      } else if (message.phase === 'load-adapter' || message.phase === 'create-logger') {
        // The adapter's own module or create() failed in the thread: the adapter's failure.
        failures++;
        send({ type: 'finding', finding: adapterFailed(message.phase === 'load-adapter' ? 'its module' : 'create()', `producer-${producer}`, message.message, message.stack) });
      } else {
        failures++;
        send({
          type: 'harness-error',
          message: `producer-${producer} failed during ${message.phase}: ${message.message}`,
          ...(message.stack !== undefined ? { stack: message.stack } : {}),
        });
      }
    });
    // When: an uncaught exception in the producer thread (the logger's code threw, or an error
    // escaped it asynchronously), or the thread ran out of its heap limit.
    worker.on('error', (error: Error & { code?: string }) => {
      failures++;
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      send({
        type: 'finding',
        finding: {
          kind: 'crash',
          severity: 'error',
          message: outOfMemory
            ? `producer-${producer}'s thread ran out of memory (heap cap ${spec.workerHeapMb} MB)`
            : `producer-${producer}'s thread died: ${error.message}`,
          evidence: { producer, cause: outOfMemory ? 'out-of-memory' : 'uncaught-exception', message: error.message, stack: error.stack ?? '' },
        },
      });
    });
    // When: the thread ended, after its work, after an error, or after terminate().
    worker.on('exit', () => {
      clearTimeout(exitTimer);
      resolve();
    });
  });
}

/** Unwinds the scenario after process.exit() was interrupted by a throwing exit listener. */
class ExitInterrupted extends Error {}

/** An adapter call (setup, create) threw: the adapter's failure, not the harness's. */
class AdapterFailure extends Error {
  constructor(
    readonly call: string,
    readonly original: unknown,
  ) {
    super(errorMessage(original));
  }
}

/** The adapter call under way in the main thread, to tell a promise that never settles. */
let pendingAdapterCall: string | undefined;

async function adapterCall<T>(what: string, call: () => T | Promise<T>): Promise<T> {
  pendingAdapterCall = what;
  try {
    return await call();
  } catch (error: unknown) {
    throw error instanceof AdapterFailure ? error : new AdapterFailure(what, error);
  } finally {
    pendingAdapterCall = undefined;
  }
}

function adapterFailed(call: string, thread: string, message: string, stack: string | undefined): Finding {
  return {
    kind: 'crash',
    severity: 'error',
    message: `The adapter's ${call} threw in ${thread}: ${message}; no record could be logged`,
    // 'adapter-failed' keeps the finding an error whatever the scenario fails on (the supervisor).
    evidence: { cause: 'adapter-failed', call, thread, message, stack: stack ?? '', phase: currentPhase },
  };
}

// When: the event loop ran dry. With an adapter call still awaited, nothing will ever settle
// it (a setup() that waits on itself): say so, rather than let the quiet exit look like an
// exit the logger called.
process.on('beforeExit', () => {
  if (pendingAdapterCall === undefined) return;
  const call = pendingAdapterCall;
  pendingAdapterCall = undefined;
  send({
    type: 'finding',
    finding: {
      kind: 'hang',
      severity: 'error',
      message: `The adapter's ${call} never settled: it returned a promise that nothing settles, and nothing kept the process alive (during ${currentPhase})`,
      evidence: { cause: 'never-settled', call, phase: currentPhase },
    },
  });
});

main().catch((error: unknown) => {
  if (error instanceof ExitInterrupted) return;
  if (error instanceof AdapterFailure) {
    const e = error.original instanceof Error ? error.original : undefined;
    send({ type: 'finding', finding: adapterFailed(error.call, 'main', error.message, e?.stack) });
    return;
  }
  send({ type: 'harness-error', message: errorMessage(error), ...(error instanceof Error && error.stack ? { stack: error.stack } : {}) });
  process.exitCode = 0;
});
