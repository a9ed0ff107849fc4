/**
 * Producers as processes (torn-lines): the run's main thread starts N node processes running
 * harness/child/process-producer.js, opens their start gate together once all are ready, follows
 * their progress on its own board row (so the watchdog sees progress, or its absence), and
 * ends every one of them by its deadline. They are in the run's process group: when the
 * supervisor ends the run, it ends them too.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CollectorAddress } from '../contract/adapter.js';
import type { BoardWriter } from '../sync/board.js';
import { shutdownFinding } from '../util/deadline.js';
import { createHistogram, mergeHistograms, summarise } from '../util/latency.js';
import type { ChildEvent, ProcessProducerCommand, ProcessProducerMessage, ProcessProducerSpec, RunSpec } from '../contract/protocol.js';
import { deriveSeed } from '../util/random.js';
import type { ProcessProducerOptions, ProducersOutcome } from '../contract/scenario.js';

const ENTRY = fileURLToPath(new URL('./process-producer.js', import.meta.url));
const STDERR_TAIL = 4096;

export interface ProcessHost {
  readonly spec: RunSpec;
  readonly file: string;
  readonly row: BoardWriter;
  readonly send: (event: ChildEvent) => void;
  readonly collector?: CollectorAddress;
}

interface Tracked {
  readonly producer: number;
  readonly child: ChildProcess;
  ready: boolean;
  produced: number;
  result?: Extract<ProcessProducerMessage, { type: 'result' }>;
  failed?: Extract<ProcessProducerMessage, { type: 'failed' }>;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
  readonly exited: Promise<void>;
  readonly resulted: Promise<void>;
}

export async function runProcesses(host: ProcessHost, options: ProcessProducerOptions): Promise<ProducersOutcome> {
  const { spec, row } = host;
  const gateMs = Math.max(1000, spec.timeoutMs);
  const tracked: Tracked[] = [];
  let readyCount = 0;
  let onReady: (() => void) | undefined;
  const report = (): void => {
    let total = 0;
    for (const t of tracked) total += t.produced;
    row.progress(total);
  };
  for (let p = 0; p < options.processes; p++) {
    const producerSpec: ProcessProducerSpec = {
      adapterUrl: spec.adapter.url,
      producer: p,
      file: options.file ?? host.file,
      records: options.records,
      batch: options.batch,
      minPayload: options.minPayload,
      maxPayload: options.maxPayload,
      level: options.level,
      seed: deriveSeed(spec.seed, p),
      closeMs: spec.closeMs,
      gateMs,
      ...(host.collector !== undefined ? { collector: host.collector } : {}),
    };
    // process.execArgv carries the TypeScript loader the run was started with, if any.
    const child = spawn(process.execPath, [...process.execArgv, ENTRY, JSON.stringify(producerSpec)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let resultArrived: () => void = () => undefined;
    const t: Tracked = {
      resulted: new Promise<void>((resolve) => (resultArrived = resolve)),
      producer: p,
      child,
      ready: false,
      produced: 0,
      stderr: '',
      exited: new Promise<void>((resolve) => {
        // When: the process ended, by itself, by a signal, or could not start.
        child.once('exit', (code, signal) => {
          t.exit = { code, signal };
          resolve();
        });
        child.once('error', (error) => {
          t.failed ??= { type: 'failed', phase: 'spawn', message: error.message };
          t.exit ??= { code: null, signal: null };
          resolve();
        });
      }),
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      t.stderr = (t.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('message', (message: ProcessProducerMessage) => {
      switch (message.type) {
        case 'ready':
          t.ready = true;
          readyCount++;
          onReady?.();
          break;
        case 'progress':
          t.produced = message.produced;
          report();
          break;
        case 'result':
          t.result = message;
          t.produced = message.produced;
          report();
          resultArrived();
          break;
        case 'failed':
          t.failed = message;
          resultArrived();
          onReady?.();
          break;
      }
    });
    tracked.push(t);
  }

  // Spawning processes and loading the logger in each is start-up, not a wait for progress.
  row.set('starting', 'wait-start');
  // The gate opens once every process is ready, or one failed or died, or the bound passed.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(finish, gateMs);
    function finish(): void {
      clearTimeout(timer);
      onReady = undefined;
      resolve();
    }
    onReady = () => {
      if (readyCount === tracked.length || tracked.some((t) => t.failed !== undefined || t.exit !== undefined)) finish();
    };
    for (const t of tracked) void t.exited.then(() => onReady?.());
    onReady();
  });
  row.set('waiting', 'await-producers');
  const started = performance.now();
  const go: ProcessProducerCommand = { type: 'go' };
  for (const t of tracked) if (t.child.connected) t.child.send(go);

  // Each process gets the run's deadline to finish; once it reported its result, the close
  // bound to end by itself. The watchdog sees progress through the board row meanwhile.
  await Promise.all(tracked.map((t) => settle(t, host, spec.timeoutMs)));
  const wallMs = performance.now() - started;
  row.set('running', 'idle');

  const merged = tracked.some((t) => t.result !== undefined)
    ? mergeHistograms(tracked.flatMap((t) => (t.result !== undefined ? [t.result.latency] : [])))
    : createHistogram();
  const latency = summarise(merged);
  merged.destroy();
  return {
    produced: tracked.map((t) => t.result?.produced ?? t.produced),
    droppedReported: tracked.reduce((sum, t) => sum + (t.result?.dropped ?? 0), 0),
    latency,
    wallMs,
  };
}

/** Waits for one process to end, ends it at its bound, and reports how it ended. */
async function settle(t: Tracked, host: ProcessHost, deadlineMs: number): Promise<void> {
  const { spec, send } = host;
  const bounded = (ms: number, until: Promise<void>): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void until.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  // The result or the end, within the run's deadline; then the end, within the close bound.
  let ended = (await bounded(deadlineMs, Promise.race([t.exited, t.resulted]))) && t.exit !== undefined;
  if (!ended && (t.result !== undefined || t.failed !== undefined)) ended = await bounded(spec.closeMs, t.exited);
  if (!ended) {
    const afterResult = t.result !== undefined;
    send({
      type: 'finding',
      finding: {
        kind: afterResult ? 'exit-hang' : 'hang',
        severity: 'error',
        message: afterResult
          ? `producer process ${t.producer} did not end within ${spec.closeMs} ms after its logger was closed; something keeps it alive`
          : `producer process ${t.producer} did not finish within the run's deadline of ${deadlineMs} ms (${t.produced} records logged)`,
        evidence: { producer: t.producer, pid: t.child.pid, produced: t.produced, stderrTail: t.stderr },
      },
    });
    t.child.kill('SIGKILL');
    await bounded(1000, t.exited);
    return;
  }
  if (t.failed !== undefined) {
    send({
      type: 'harness-error',
      message: `producer process ${t.producer} failed during ${t.failed.phase}: ${t.failed.message}`,
      ...(t.failed.stack !== undefined ? { stack: t.failed.stack } : {}),
    });
    return;
  }
  if (t.result === undefined) {
    send({
      type: 'finding',
      finding: {
        kind: 'crash',
        severity: 'error',
        message: `producer process ${t.producer} died with ${t.exit?.signal ?? `exit code ${t.exit?.code ?? '?'}`} after ${t.produced} records`,
        evidence: { producer: t.producer, exit: t.exit, produced: t.produced, stderrTail: t.stderr },
      },
    });
    return;
  }
  if (t.result.closeTimedOut || t.result.closeError !== undefined) {
    const closed = { ok: false, ms: t.result.closeMs, ...(t.result.closeError !== undefined ? { error: t.result.closeError } : {}) };
    const finding = shutdownFinding(`producer process ${t.producer}'s logger shutdown`, closed, spec.closeMs, { producer: t.producer });
    if (finding !== undefined) send({ type: 'finding', finding });
  }
}
