/**
 * The process bridge: runs a Python adapter's run inside the run's child process.
 *
 * The child spawns the Python driver (python/logjam_driver) in its own process group (so the
 * supervisor's kill at the deadline ends it too) and reads its events from a pipe. The driver
 * runs the scenario's load in Python; this side keeps everything that must survive a wedged
 * interpreter:
 *
 * - the verdict on liveness: no progress for the hang window while the driver has work is a
 *   `hang`, judged here from the driver's heartbeats and the sink file's size, because a Python
 *   process whose threads are stuck (or whose interpreter is wedged in C) cannot judge itself;
 * - every Python thread's stack at that moment: SIGUSR1 makes faulthandler dump them from C,
 *   without the interpreter, into a file this side reads;
 * - the lock-order graph: the driver sends each new edge with its Python stack, and the pure
 *   LockOrderGraph finds the cycles, so an edge already sent is never lost to a wedge;
 * - the memory cap (Python's resident memory, read from /proc) and the exit bound.
 *
 * Deadlocks among Python locks are found by the driver's own watcher thread (it sees lock
 * owners the moment they change), confirmed on two looks, and forwarded as findings.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Capabilities } from '../contract/adapter.js';
import type { ChildEvent, RunSpec, ThreadStatus } from '../contract/protocol.js';
import type { PythonAnswer, PythonEvent, PythonRunSpec, PythonThread } from '../contract/python.js';
import { encodeRecord, PayloadSource } from '../ledger/record.js';
import { createRandom, deriveSeed } from '../util/random.js';
import type { Finding } from '../contract/result.js';
import type { AnyScenario } from '../contract/scenario.js';
import { Collector } from '../sinks/collector.js';
import { LockOrderGraph, type OrderCycle } from '../sync/lockgraph.js';
import { lockOrderFinding } from '../watchdog/lock-order.js';
import { loadClause } from '../watchdog/hang.js';
import { LoadClock, readRunQueueWaits, type LoadSeen } from '../util/cpu-clock.js';
import { loadavg } from 'node:os';
import { INSTALL_PYTHON, pythonEnv, pythonExecutable } from '../util/python.js';

export interface BridgeOptions {
  readonly spec: RunSpec;
  readonly scenario: AnyScenario;
  readonly send: (event: ChildEvent) => void;
  /** Ends this process with a code, without running exit listeners a logger could have patched. */
  readonly exit: (code: number) => void;
}

/** How often the bridge looks at the driver's progress and the sink's size. */
const LOOK_MS = 50;
/** How long faulthandler gets to write every thread's stack. */
const DUMP_MS = 1500;
/** How long the driver's event pipe may stay open after it exited (inherited by a process it started) before the run goes on without its end. */
const EVENTS_DRAIN_MS = 2000;
/** After the driver returned with the process left to end by itself (natural-exit), look at what keeps it alive this late: before the supervisor's exit bound of 3 s. */
const EXIT_LOOK_MS = 2000;

export async function runPythonBridge(options: BridgeOptions): Promise<void> {
  const { spec, scenario } = options;
  const python = pythonExecutable();
  const adapterPath = fileURLToPath(spec.adapter.url);
  const file = join(spec.dir, 'sink.log');
  // The capabilities arrive with the driver's hello, but a TCP adapter's setup connects at once:
  // its collector must listen before Python starts. Whether the module declares `"tcp": True`
  // is therefore read from its text (a corner cut: a module that computes its capabilities
  // gets no collector, and its setup's connection is refused).
  const collector = declaresTcp(adapterPath) ? await Collector.start(file, {}) : undefined;
  const stacksFile = join(spec.dir, 'python-stacks.txt');
  const runSpec: PythonRunSpec = {
    adapter: adapterPath,
    scenario: scenario.name,
    seed: spec.seed,
    params: spec.params,
    file,
    eventsFd: 3,
    streamFd: 4,
    stacksFile,
    closeMs: spec.closeMs,
    timeoutMs: spec.timeoutMs,
    requests: true,
    ...(collector !== undefined ? { collector: [collector.address.host, collector.address.port] as const } : {}),
  };
  // Not detached: the driver stays in this process's group, which the supervisor ends as one.
  const child = spawn(python, ['-m', 'logjam_driver', 'run', JSON.stringify(runSpec)], {
    env: pythonEnv(),
    stdio: ['pipe', 'inherit', 'inherit', 'pipe', 'pipe'],
  });
  // When: the driver is gone before an answer reached it; its exit decides the run.
  child.stdin?.on('error', () => undefined);
  const bridge = new Bridge(options, child, file, stacksFile);
  // The pipe sink: what the driver writes to its fd 4 is appended to the sink file, as a
  // process reading an application's stdout would.
  const pipeSink = drain(child.stdio[4] as Readable, file);
  const eventsRead = readEvents(child.stdio[3] as Readable, (event) => bridge.onEvent(event));
  const ended = bridge.ended(eventsRead);
  const exit = await ended;
  bridge.stop();
  await within(pipeSink, spec.closeMs);
  if (collector !== undefined) await collector.close(spec.closeMs);
  bridge.finish(exit);
}

/** Whether the module declares `"tcp": True` in its capabilities (read before Python starts, to start the collector first). */
export function declaresTcp(path: string): boolean {
  try {
    return /["']tcp["']\s*:\s*True/.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

function notInNode(): never {
  throw new Error('a Python adapter runs in the Python driver, not in Node: this is a harness bug');
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

class Bridge {
  readonly #options: BridgeOptions;
  readonly #child: ChildProcess;
  readonly #file: string;
  readonly #stacksFile: string;
  readonly #graph = new LockOrderGraph();
  readonly #lockNames = new Map<number, string>();
  readonly #payloads = new Map<string, PayloadSource>();
  #last: Extract<PythonEvent, { type: 'py-progress' }> | undefined;
  #phase = 'start';
  #busy = false;
  #progressKey = '';
  /**
   * The hang window runs on the Python process's CPU clock (cpu-clock.ts), as the Node
   * watchdog's does: time its threads stood ready without a CPU does not count.
   */
  #clock: LoadClock | undefined;
  #progressAt = performance.now();
  #ending: 'done' | 'exiting' | 'skip' | undefined;
  #exiting: Extract<ChildEvent, { type: 'exiting' }> | undefined;
  #leftOpen = false;
  #killedFor: 'hang' | 'memory' | 'exit-hang' | undefined;
  #timer: NodeJS.Timeout | undefined;
  #exitTimer: NodeJS.Timeout | undefined;
  #looks = 0;
  #harnessError = false;

  constructor(options: BridgeOptions, child: ChildProcess, file: string, stacksFile: string) {
    this.#options = options;
    this.#child = child;
    this.#file = file;
    this.#stacksFile = stacksFile;
  }

  /**
   * The driver's end, once every event it wrote has been read: a lock-order edge or a finding
   * sent just before it exited still reaches the graph and the supervisor before the run is
   * reported done. The wait for the pipe's end is bounded: a process the logger started may
   * have inherited the pipe and keep it open.
   */
  ended(eventsRead: Promise<void>): Promise<Exit> {
    return new Promise<Exit>((resolve) => {
      // When: the interpreter could not be started at all.
      this.#child.once('error', (error) => resolve({ code: null, signal: null, error }));
      // When: the driver's process ended; its event pipe may still hold the last lines.
      this.#child.once('exit', (code, signal) => void within(eventsRead, EVENTS_DRAIN_MS).then(() => resolve({ code, signal })));
    });
  }

  onEvent(event: PythonEvent): void {
    const send = this.#options.send;
    switch (event.type) {
      case 'py-lock':
        this.#lockNames.set(event.id, event.name);
        return;
      case 'py-messages':
        this.#answer(event);
        return;
      case 'py-hello':
        this.#hello(event);
        return;
      case 'py-edge': {
        const cycle = this.#graph.add({ from: event.from, to: event.to, thread: event.thread, site: event.site, guards: event.guards });
        if (cycle !== undefined) send({ type: 'finding', finding: this.#lockOrderFinding(cycle) });
        return;
      }
      case 'py-progress':
        this.#last = event;
        this.#busy = event.busy;
        return;
      case 'hello':
        return;
      case 'sink':
        send(event);
        // The load starts now: from here, standing still is a hang.
        this.#busy = true;
        this.#clock ??= new LoadClock(performance.now(), LOOK_MS, this.#waits());
        this.#progressAt = this.#clock.now;
        this.#timer ??= setInterval(() => this.#look(), LOOK_MS);
        return;
      case 'phase':
        this.#phase = event.phase;
        send(event);
        if (event.phase.startsWith('returned')) this.#leftOpen = true;
        return;
      case 'done':
        this.#ending = 'done';
        this.#busy = false;
        // A process left to end by itself is timed from now (the supervisor's exit bound);
        // otherwise 'done' goes out once the driver has ended (finish()).
        if (this.#leftOpen) {
          send(event);
          this.#armExitLook('returning with the process left to end by itself');
        } else {
          this.#armExitLook('the scenario finished');
        }
        return;
      case 'exiting':
        this.#ending = 'exiting';
        this.#exiting = event;
        this.#busy = false;
        send(event);
        this.#armExitLook(event.injected !== undefined ? `the injected ${event.injected}` : `sys.exit(${event.code})`);
        return;
      case 'skip':
        this.#ending = 'skip';
        send(event);
        return;
      case 'harness-error':
        this.#harnessError = true;
        send(event);
        return;
      default:
        send(event);
    }
  }

  /** The adapter is loaded: the scenario's own skip rules apply to its capabilities, then the driver goes on or ends. */
  #hello(hello: Extract<PythonEvent, { type: 'py-hello' }>): void {
    const { send, scenario } = this.#options;
    send({ type: 'hello', pid: hello.pid, versions: hello.versions });
    const capabilities: Capabilities = hello.capabilities;
    const skip =
      hello.unavailable ??
      scenario.skip?.(capabilities, { name: hello.name, description: hello.description, capabilities, create: notInNode }) ??
      hello.skip;
    if (skip !== undefined) {
      this.#ending = 'skip';
      send({ type: 'skip', reason: skip });
    }
    this.#write(skip !== undefined ? { skip } : { go: true });
  }

  #write(answer: PythonAnswer): void {
    this.#child.stdin?.write(`${JSON.stringify(answer)}\n`);
  }

  /** Writes producer p's records as logjam's own producers make them, and tells the driver where. */
  #answer(ask: Extract<PythonEvent, { type: 'py-messages' }>): void {
    let answer: PythonAnswer;
    try {
      const path = join(this.#options.spec.dir, `messages.${ask.producer}.txt`);
      // One source per producer: a payload is a function of its seq alone, so chunks agree.
      const key = `${ask.producer}:${ask.minPayload}:${ask.maxPayload}:${ask.text}`;
      let payloads = this.#payloads.get(key);
      if (payloads === undefined) {
        payloads = new PayloadSource(createRandom(deriveSeed(this.#options.spec.seed, ask.producer)), ask.minPayload, ask.maxPayload, ask.text);
        this.#payloads.set(key, payloads);
      }
      const lines: string[] = [];
      for (let seq = ask.start; seq < ask.start + ask.records; seq++) lines.push(encodeRecord(ask.producer, seq, payloads.payload(seq)));
      // Asking is progress: a producer preparing its records is not stuck.
      this.#progressAt = this.#now();
      writeFileSync(path, lines.join('\n'));
      answer = { path };
    } catch (error: unknown) {
      answer = { error: `could not write producer ${ask.producer}'s records: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.#write(answer);
  }

  /** The Python process's threads' run-queue waits, by thread id. */
  #waits(): Map<number, number> | undefined {
    return this.#child.pid === undefined ? undefined : readRunQueueWaits(`/proc/${this.#child.pid}/task`);
  }

  /** The counted time now: the wall less what the Python process stood ready without a CPU. */
  #now(): number {
    return this.#clock === undefined ? performance.now() : this.#clock.tick(performance.now(), this.#waits());
  }

  /** Every LOOK_MS: progress (records, sink writes, sink bytes), the hang window, the memory cap. */
  #look(): void {
    if (this.#killedFor !== undefined) return;
    const now = this.#now();
    this.#looks++;
    const size = this.#looks % 2 === 0 || this.#progressKey === '' ? sizeOf(this.#file) : -1;
    const key = `${this.#last?.produced.join(',') ?? ''}|${this.#last?.progress ?? 0}|${size >= 0 ? size : this.#progressKey.split('|')[2]}`;
    if (key !== this.#progressKey) {
      this.#progressKey = key;
      this.#progressAt = now;
    }
    const spec = this.#options.spec;
    if (this.#busy && this.#ending === undefined && now - this.#progressAt > spec.hangMs) {
      this.#killedFor = 'hang';
      void this.#reportHang(Math.round(now - this.#progressAt));
      return;
    }
    const capMb = spec.memoryMb ?? spec.workerHeapMb * 8;
    const rss = this.#looks % 2 === 0 ? residentMb(this.#child.pid) : undefined;
    if (rss !== undefined && rss > capMb) {
      this.#killedFor = 'memory';
      this.#child.kill('SIGKILL');
      this.#options.send({
        type: 'finding',
        finding: {
          kind: 'crash',
          severity: 'error',
          message: `The Python process exceeded the run's memory cap of ${capMb} MB resident (${rss} MB) and was ended`,
          evidence: { cause: 'out-of-memory', capMb, rssMb: rss, phase: this.#phase, language: 'python' },
        },
      });
    }
  }

  async #reportHang(windowMs: number): Promise<void> {
    const load: LoadSeen | undefined = this.#clock?.seen(windowMs, loadavg()[0]);
    const stacks = await this.#dumpStacks();
    const threads = this.#threads(stacks);
    const stuck = threads.filter((t) => t.state !== 'done' && (t.name === 'main' || t.name.startsWith('producer-')));
    const describe = (t: PythonThreadReport): string => {
      const where = t.stack[0] !== undefined ? ` at ${whereIn(t.stack)}` : '';
      const waiting = t.waiting !== undefined ? `, waiting on ${t.waiting.on}${t.waiting.holders.length > 0 ? ` held by ${t.waiting.holders.join(', ')}` : ''}` : '';
      const count = t.target !== undefined && t.target > 0 ? ` (${t.produced ?? 0} of ${t.target} records)` : '';
      return `${t.name} in ${t.op}${count}${waiting}${where}`;
    };
    this.#options.send({
      type: 'finding',
      finding: {
        kind: 'hang',
        severity: 'error',
        message: `No progress for ${windowMs} ms in the Python process${loadClause(load)}: ${stuck.map(describe).join('; ') || 'no harness thread named'}. Every Python thread: ${threads.map((t) => `${t.name}${t.stack[0] !== undefined ? ` at ${whereIn(t.stack)}` : ''}`).join('; ')}`,
        evidence: {
          windowMs,
          ...(load !== undefined ? { load } : {}),
          language: 'python',
          stuck: stuck.map((t) => t.name),
          threads: threads.map(toThreadStatus),
          pythonThreads: threads,
          pythonStacks: stacks.text,
          phase: this.#phase,
        },
      },
    });
    this.#child.kill('SIGKILL');
  }

  /** Asks faulthandler for every thread's stack and waits (bounded) until the dump stops growing. */
  async #dumpStacks(): Promise<ParsedStacks> {
    const before = sizeOf(this.#stacksFile);
    try {
      this.#child.kill('SIGUSR1');
    } catch {
      return { text: '', threads: [] };
    }
    const until = performance.now() + DUMP_MS;
    let size = before;
    let stableSince = performance.now();
    while (performance.now() < until) {
      await delay(20);
      const now = sizeOf(this.#stacksFile);
      if (now !== size) {
        size = now;
        stableSince = performance.now();
      } else if (size > before && performance.now() - stableSince > 60) {
        break;
      }
    }
    const text = existsSync(this.#stacksFile) ? readFileSync(this.#stacksFile, 'utf8').slice(Math.max(0, before)) : '';
    return parseFaulthandler(text);
  }

  #threads(stacks: ParsedStacks): PythonThreadReport[] {
    const known = this.#last?.threads ?? [];
    const out: PythonThreadReport[] = known.map((t) => ({ ...t, stack: stacks.threads.find((s) => s.ident === t.ident)?.frames ?? [] }));
    // Threads the heartbeat has not named yet still have their stacks shown.
    for (const s of stacks.threads) {
      if (!known.some((t) => t.ident === s.ident)) out.push({ ident: s.ident, name: `thread-0x${s.ident.toString(16)}`, state: 'running', op: 'unknown', daemon: false, stack: s.frames });
    }
    return out;
  }

  /** After the driver said it ends, it must end: if not, what keeps it alive is shown, with stacks. */
  #armExitLook(after: string): void {
    clearTimeout(this.#exitTimer);
    const ms = this.#leftOpen || this.#ending === 'exiting' ? EXIT_LOOK_MS : this.#options.spec.closeMs;
    this.#exitTimer = setTimeout(() => void this.#reportExitHang(after, ms), ms);
  }

  async #reportExitHang(after: string, ms: number): Promise<void> {
    if (this.#killedFor !== undefined) return;
    this.#killedFor = 'exit-hang';
    const stacks = await this.#dumpStacks();
    const threads = this.#threads(stacks).filter((t) => t.name !== 'logjam-watcher');
    const alive = threads.filter((t) => !t.daemon && t.stack.length > 0);
    this.#options.send({
      type: 'finding',
      finding: {
        kind: 'exit-hang',
        severity: 'error',
        message: `The Python process was still alive ${ms} ms after ${after}: ${stacks.threads.length} thread(s) left, ${threads.map((t) => `${t.name}${t.daemon ? ' (daemon)' : ''}${t.stack[0] !== undefined ? ` at ${t.stack[0]}` : ''}`).join('; ')}`,
        evidence: { afterMs: ms, language: 'python', nonDaemon: alive.map((t) => t.name), pythonThreads: threads, pythonStacks: stacks.text, signature: 'python-exit-hang' },
      },
    });
    this.#child.kill('SIGKILL');
  }

  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#exitTimer);
  }

  /** The driver has ended: say how, then end this process the same way where the scenario ended it. */
  finish(exit: Exit): void {
    const send = this.#options.send;
    const how = exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
    if (exit.error !== undefined) {
      const code = (exit.error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') send({ type: 'skip', reason: `No Python interpreter \`${pythonExecutable()}\` (${code}). ${INSTALL_PYTHON}` });
      else send({ type: 'harness-error', message: `could not start the Python driver: ${exit.error.message}` });
      return;
    }
    if (this.#killedFor === 'hang' || this.#killedFor === 'exit-hang') return;
    if (this.#ending === 'exiting' && this.#exiting !== undefined) {
      // The supervisor compares this process's end with the code the scenario exited with.
      this.#options.exit(this.#exiting.injected !== undefined ? this.#exiting.code : (exit.code ?? 128 + 9));
      return;
    }
    if (this.#ending === 'skip') return;
    if (this.#ending === 'done') {
      if (exit.code !== 0) {
        send({
          type: 'finding',
          finding: {
            kind: 'crash',
            severity: 'error',
            message: `The Python process ended with ${how} after the scenario finished: its exit-time code failed`,
            evidence: { exitCode: exit.code, signal: exit.signal, phase: this.#phase, language: 'python' },
          },
        });
      }
      if (!this.#leftOpen) send({ type: 'done' });
      return;
    }
    if (this.#killedFor !== 'memory' && !this.#harnessError) {
      send({
        type: 'finding',
        finding: {
          kind: 'crash',
          severity: 'error',
          message: `The Python process died with ${how} during ${this.#phase}`,
          evidence: { cause: 'died', exitCode: exit.code, signal: exit.signal, phase: this.#phase, language: 'python', threads: (this.#last?.threads ?? []).map((t) => t.name) },
        },
      });
    }
    // The finding says what happened; 'done' keeps the supervisor from blaming this process too.
    send({ type: 'done' });
  }

  #lockOrderFinding(cycle: OrderCycle): Finding {
    return lockOrderFinding(cycle, (id) => this.#lockNames.get(id) ?? `lock#${id}`, 'python');
  }
}

/** The frame a one-line message shows: the first outside the driver's lock instrumentation. */
function whereIn(stack: readonly string[]): string {
  return stack.find((f) => !/logjam_driver[\\/]locks\.py:/.test(f)) ?? stack[0] ?? '?';
}

interface PythonThreadReport extends PythonThread {
  /** Most recent call first, `file:line in func`, from faulthandler. */
  readonly stack: readonly string[];
}

function toThreadStatus(t: PythonThreadReport, slot: number): ThreadStatus {
  return {
    slot,
    name: t.name,
    state: t.state,
    op: t.op,
    produced: t.produced ?? 0,
    target: t.target ?? 0,
    heartbeatAgeMs: 0,
    progressAgeMs: 0,
    ...(t.held !== undefined ? { held: t.held } : {}),
    ...(t.waiting !== undefined ? { waiting: t.waiting } : {}),
  };
}

interface ParsedStacks {
  readonly text: string;
  readonly threads: readonly { readonly ident: number; readonly current: boolean; readonly frames: readonly string[] }[];
}

/**
 * Reads faulthandler's dump: blocks of `Thread 0x00007f… (most recent call first):` (or
 * `Current thread 0x…`) followed by `  File "path", line N in func` lines.
 */
export function parseFaulthandler(text: string): ParsedStacks {
  const threads: { ident: number; current: boolean; frames: string[] }[] = [];
  let at: { ident: number; current: boolean; frames: string[] } | undefined;
  for (const line of text.split('\n')) {
    const head = /^(Current thread|Thread) 0x([0-9a-f]+)/i.exec(line);
    if (head !== null) {
      at = { ident: Number.parseInt(head[2] ?? '0', 16), current: head[1] === 'Current thread', frames: [] };
      threads.push(at);
      continue;
    }
    const frame = /^\s+File "(.*)", line (\d+) in (.*)$/.exec(line);
    if (frame !== null && at !== undefined) at.frames.push(`${frame[1]}:${frame[2]} in ${frame[3]}`);
  }
  return { text, threads };
}

/** Reads the driver's events as they come; settles when the pipe has ended (every event read) or failed. */
function readEvents(stream: Readable, onEvent: (event: PythonEvent) => void): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.length > 0) {
        let event: PythonEvent | undefined;
        try {
          event = JSON.parse(line) as PythonEvent;
        } catch {
          process.stderr.write(`[logjam] unreadable event from the Python driver: ${line.slice(0, 200)}\n`);
        }
        if (event !== undefined) onEvent(event);
      }
      nl = pending.indexOf('\n');
    }
  });
  // When: a read on the pipe failed; the driver's exit decides the run, not this.
  stream.on('error', () => undefined);
  return ended;
}

/** Appends what the driver writes on its pipe to the sink file; settles once both ends are done. */
export function drain(stream: Readable, file: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const out = createWriteStream(file, { flags: 'a' });
    stream.pipe(out);
    out.once('finish', () => resolve());
    out.once('error', () => resolve());
    stream.once('error', () => {
      out.end();
    });
  });
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb !== undefined ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `promise` at most `ms`; the timer is cleared either way, so it keeps nothing alive. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
