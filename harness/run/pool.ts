/**
 * Warm run processes: one fresh process per run still, but started before the run is due.
 *
 * A run's fixed cost is mostly Node starting and loading modules (tsx, the harness, the
 * adapter's logger). The suite knows its next run, so while the current one executes the pool
 * starts the next run's process with those modules loaded (harness/child/warm.ts) and parked on
 * a blocking read of stdin; when the run is due the supervisor takes it and writes the RunSpec.
 * Isolation is unchanged: a warm process serves exactly one run and is never reused.
 *
 * A warm process that died while parked (its logger's module crashed on load, say) is dropped,
 * and the run gets a cold process that meets the same failure where the run can report it.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { RunSpec, WarmStart } from '../contract/protocol.js';
import { killGroup, trackProcessGroup } from '../util/cleanup.js';

const CHILD_ENTRY = fileURLToPath(new URL('../child/child.js', import.meta.url));

/** What a run's process is started with: node's arguments, and the modules the run loads. */
export interface Launch {
  /** Node's arguments before the entry script (loader, heap cap, test flags). */
  readonly nodeArgs: readonly string[];
  readonly scenarioUrl: string;
  readonly adapterUrl: string;
  /** The Node binary (`--node`, util/run-node.ts): a warm process of another Node is never taken. */
  readonly node: string;
}

/** A started run process, with when it was started (epoch ms) and whether it was warm. */
export interface Started {
  readonly child: ChildProcess;
  readonly warm: boolean;
  readonly spawnedAt: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

// Its own process group, so ending the run ends anything the logger spawned too.
const SPAWN_OPTIONS = { detached: true } as const;

function keyOf(launch: Launch): string {
  return JSON.stringify([launch.node, launch.nodeArgs, launch.scenarioUrl, launch.adapterUrl]);
}

interface Parked {
  readonly key: string;
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** Settles when the process has loaded its modules (or ended). */
  readonly loaded: Promise<void>;
}

/** How long `loaded()` waits for a warm process to finish loading. */
const LOAD_WAIT_MS = 15_000;

export class WarmPool {
  readonly #parked: Parked[] = [];
  readonly #capacity: number;
  #closed = false;

  /** @param capacity how many warm processes may wait at once (the suite's job count). @defaultValue 1 */
  constructor(capacity = 1) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Starts a warm process for a run about to be due (one per call: runs never share one). */
  prepare(launch: Launch): void {
    if (this.#closed) return;
    const key = keyOf(launch);
    // Full: the oldest guess is the least likely to be taken; make room for the newest.
    while (this.#parked.length >= this.#capacity) end(this.#parked.shift()?.child);
    const warm: WarmStart = { scenarioUrl: launch.scenarioUrl, adapterUrl: launch.adapterUrl };
    const spawnedAt = epochNow();
    const child = spawn(launch.node, [...launch.nodeArgs, CHILD_ENTRY, '--warm', JSON.stringify(warm)], {
      ...SPAWN_OPTIONS,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const ready = child.stdio[4] as Readable;
    const loaded = new Promise<void>((resolve) => {
      // When: the warm process wrote its one byte after loading, closed fd 4, or ended.
      ready.once('data', () => resolve());
      ready.once('close', () => resolve());
      ready.once('error', () => resolve());
      child.once('exit', () => resolve());
    });
    // When: the process could not be started; take() then finds it dead and a cold one is used.
    child.once('error', () => undefined);
    // A second Ctrl-C ends a parked process's group too, even if close() never gets to it.
    child.once('exit', trackProcessGroup(child.pid));
    // When: the process ended before its run handed over (EPIPE): the run sees its exit.
    (child.stdin).once('error', () => undefined);
    this.#parked.push({ key, child, spawnedAt, loaded });
  }

  /**
   * The warm process for `launch`, handed `spec`; undefined when none waits (start a cold one).
   * Synchronous from the liveness check to the hand-over, so the caller can attach its 'exit'
   * listener before any exit could be emitted.
   */
  take(launch: Launch, spec: RunSpec): Started | undefined {
    const key = keyOf(launch);
    const index = this.#parked.findIndex((p) => p.key === key);
    if (index < 0) return undefined;
    const [parked] = this.#parked.splice(index, 1);
    if (parked === undefined) return undefined;
    if (!alive(parked.child) || parked.child.pid === undefined) {
      end(parked.child);
      return undefined;
    }
    (parked.child.stdin as Writable).end(`${JSON.stringify(spec)}\n`);
    return { child: parked.child, warm: true, spawnedAt: parked.spawnedAt };
  }

  /**
   * Settles once no warm process is still loading (bounded: a process that takes longer is ended
   * and dropped). A run judged by time starts only after this, so that no process beside it is
   * burning CPU on module loading; parked processes are blocked in a read and cost nothing.
   */
  async loaded(): Promise<void> {
    const parked = [...this.#parked];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), LOAD_WAIT_MS)));
    try {
      const outcome = await Promise.race([Promise.all(parked.map((p) => p.loaded)), late]);
      if (outcome === 'late') {
        for (const p of parked) {
          const index = this.#parked.indexOf(p);
          if (index >= 0) this.#parked.splice(index, 1);
          end(p.child);
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends every process still waiting; the pool starts no more. */
  close(): void {
    this.#closed = true;
    for (const p of this.#parked.splice(0)) end(p.child);
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function end(child: ChildProcess | undefined): void {
  if (child === undefined) return;
  if (alive(child)) killGroup(child);
  for (const stream of child.stdio) stream?.destroy();
}
