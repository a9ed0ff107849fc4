/**
 * The run's process: spawning it, and watching it until it ends.
 *
 * Independent watchers race (the deadline, the watchdog's hang or deadlock report, the exit
 * bound, the memory cap, an abort, the process's own exit); the first to fire decides why the
 * process was ended, and every timer is disarmed on every path. What the watcher hands back is
 * plain data: the events the child streamed, and how its process ended (`ProcessEnd`). It
 * decides nothing about the run: verdict.ts does.
 *
 * Spawning and watching are separate functions, so a process that was started another way (a
 * warm one from a pool) can be watched the same way.
 */

import { killGroup, trackProcessGroup } from '../util/cleanup.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { isTypeScriptModule } from '../contract/adapter.js';
import type { ChildEvent, RunSpec } from '../contract/protocol.js';
import { LoadClock, readRunQueueWaits } from '../util/cpu-clock.js';
import type { KillReason, ProcessEnd } from './verdict.js';
import { runNodeBinary } from '../util/run-node.js';

const CHILD_ENTRY = fileURLToPath(new URL('../child/child.js', import.meta.url));
const TAIL_BYTES = 16 * 1024;
/** How often the memory cap is checked, in ms. */
const MEMORY_POLL_MS = 50;
/** A grandchild may hold the pipes open after the process ended: the last events get this long. */
const DRAIN_MS = 1000;
/** How often the exit bound's clock reads the process's threads. */
const EXIT_LOOK_MS = 100;

export interface SpawnOptions {
  /** Resident memory cap of the process, in MB: its JS heap gets half. */
  readonly memoryMb: number;
  /** Extra arguments for node, before the entry script (tests use this). */
  readonly nodeArgs?: readonly string[];
}

/** Node's arguments for a run's process, before the entry script: the TypeScript loader when needed, the heap cap, extras. */
export function nodeArgsFor(adapterUrl: string, scenarioUrl: string, options: SpawnOptions): string[] {
  return [
    ...(isTypeScriptModule(adapterUrl) || isTypeScriptModule(scenarioUrl) ? ['--import', import.meta.resolve('tsx')] : []),
    `--max-old-space-size=${Math.max(64, Math.floor(options.memoryMb / 2))}`,
    ...(options.nodeArgs ?? []),
  ];
}

/** Starts the run's child process (harness/child/child.ts) on `spec`, in its own process group. */
export function spawnRunProcess(spec: RunSpec, options: SpawnOptions): ChildProcess {
  const args = [...nodeArgsFor(spec.adapter.url, spec.scenario.url, options), CHILD_ENTRY, JSON.stringify(spec)];
  // Its own process group, so ending the run ends anything the logger spawned too.
  // The Node `--node` named (util/run-node.ts), else this one: the adapter and the logger run on it.
  const child = spawn(runNodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });
  // A second Ctrl-C or a SIGTERM that cannot wait still ends the group (harness/cli/signals.ts).
  child.once('exit', trackProcessGroup(child.pid));
  return child;
}

export interface WatchOptions {
  /** Hard deadline of the whole run. */
  readonly timeoutMs: number;
  /** Resident memory cap, in MB. */
  readonly memoryMb: number;
  /** How long the process may take to end once its scenario is done, exiting or skipped. */
  readonly exitMs: number;
  /** Called for every event as the child streams it. */
  readonly onEvent?: (event: ChildEvent) => void;
  /** Ends the run early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface WatchedRun {
  readonly events: readonly ChildEvent[];
  readonly end: ProcessEnd;
}

/**
 * When an event asks for the process to be ended: after a hang or a deadlock, the watchdog
 * has already said everything; after done, exiting or skip, the exit bound starts.
 */
export function killPlan(event: ChildEvent, exitMs: number): { readonly reason: KillReason; readonly afterMs: number } | undefined {
  if (event.type === 'finding' && event.finding.kind === 'hang') {
    // The watchdog has the whole picture; waiting for the deadline adds nothing.
    return { reason: 'hang', afterMs: 100 };
  }
  if (event.type === 'finding' && event.finding.kind === 'deadlock') {
    // Its threads will never move again. One more look at the board, then end it.
    return { reason: 'deadlock', afterMs: 300 };
  }
  if (event.type === 'done' || event.type === 'exiting' || event.type === 'skip') return { reason: 'exit-hang', afterMs: exitMs };
  return undefined;
}

/** Watches `child` until it ends, and a little after, for its last events. Never rejects. */
export async function watchRunProcess(child: ChildProcess, options: WatchOptions): Promise<WatchedRun> {
  const events: ChildEvent[] = [];
  const stdout = new Tail(TAIL_BYTES);
  const stderr = new Tail(TAIL_BYTES);
  let killedFor: KillReason | undefined;
  let exitBound: { stop(): void } | undefined;
  /** When the scenario said it was done or exiting: the start of time-to-exit. */
  let endedAt: number | undefined;

  const kill = (reason: KillReason): void => {
    if (killedFor !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    killedFor = reason;
    killGroup(child);
  };
  const onEvent = (event: ChildEvent): void => {
    events.push(event);
    options.onEvent?.(event);
    if ((event.type === 'done' || event.type === 'exiting') && endedAt === undefined) endedAt = performance.now();
    const plan = killPlan(event, options.exitMs);
    if (plan === undefined) return;
    if (plan.reason !== 'exit-hang') setTimeout(() => kill(plan.reason), plan.afterMs).unref();
    else exitBound ??= watchExitBound(child.pid, plan.afterMs, () => kill('exit-hang'));
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
  const memory = watchMemory(child.pid, options.memoryMb, () => kill('memory'));

  const exit = await exitOf(child);
  const exitedAt = performance.now();
  clearTimeout(deadline);
  exitBound?.stop();
  options.signal?.removeEventListener('abort', onAbort);
  memory.stop();
  await Promise.race([lines, delay(DRAIN_MS)]);
  for (const stream of [channel, childOut, childErr]) stream.destroy();

  const end: ProcessEnd = {
    ...exit,
    ...(killedFor !== undefined ? { killedFor } : {}),
    peakRssMb: memory.peakMb(),
    stderrTail: stderr.text(),
    ...(endedAt !== undefined ? { endedAfterMs: exitedAt - endedAt } : {}),
  };
  return { events, end };
}

/**
 * The exit bound, counted on the process's CPU clock (util/cpu-clock.ts) from now: time its
 * threads stood ready without a CPU is not counted, so a loaded machine stretches the bound
 * instead of turning a logger's slow but real exit (a late timer writing its tail) into an
 * exit-hang (issue 13). A process that nothing keeps alive but a parked thread or a timer waits
 * for no CPU, and is ended once the bound has passed on the wall.
 */
function watchExitBound(pid: number | undefined, boundMs: number, overBound: () => void): { stop(): void } {
  const taskDir = `/proc/${pid ?? 0}/task`;
  const read = (): Map<number, number> | undefined => (pid !== undefined ? readRunQueueWaits(taskDir) : undefined);
  const clock = new LoadClock(performance.now(), EXIT_LOOK_MS, read());
  const from = clock.now;
  const poll = setInterval(() => {
    if (clock.tick(performance.now(), read()) - from >= boundMs) overBound();
  }, EXIT_LOOK_MS);
  return { stop: () => clearInterval(poll) };
}

/** How the process ended, or that it never started. */
function exitOf(child: ChildProcess): Promise<Pick<ProcessEnd, 'code' | 'signal' | 'spawnError'>> {
  return new Promise((resolve) => {
    // When: the process could not be started at all (bad executable, no resources).
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error.message }));
    // When: the process ended; its pipes may still hold the last events.
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Polls the process's resident memory: its peak, and `overCap` once it is above `capMb`. */
function watchMemory(pid: number | undefined, capMb: number, overCap: () => void): { peakMb(): number; stop(): void } {
  let peakMb = 0;
  const poll = setInterval(() => {
    const rss = readRss(pid);
    if (rss === undefined) return;
    peakMb = Math.max(peakMb, rss.peakMb);
    if (rss.currentMb > capMb) overCap();
  }, MEMORY_POLL_MS);
  return { peakMb: () => peakMb, stop: () => clearInterval(poll) };
}

/** Splits the event channel into JSON lines; settles when the channel ends. */
export function readLines(stream: Readable, onEvent: (event: ChildEvent) => void, onBad: (line: string) => void): Promise<void> {
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
