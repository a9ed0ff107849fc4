/**
 * The process bridge to Python: what the run's child tells the Python driver
 * (python/logjam_driver), and what the driver reports back, one JSON object per line on the
 * driver's file descriptor 3. Defined once here; the Python side mirrors it in events.py,
 * driver.py and locks.py.
 *
 * Most events the driver sends are `ChildEvent`s already (phase, produced, metrics, finding,
 * skip, harness-error, exiting, done) and are forwarded as they are. The `py-` events are the
 * bridge's own: lock names, lock-order edges with Python stacks, and the heartbeat with each
 * Python thread's progress, held locks and wait.
 */

import type { Capabilities } from './adapter.js';
import type { ChildEvent } from './protocol.js';

/** A Python adapter is a `.py` module; its URL names it so in every process of the run. */
export function isPythonAdapterUrl(url: string): boolean {
  return url.startsWith('file:') && new URL(url).pathname.endsWith('.py');
}

/** What `python -m logjam_driver describe ADAPTER.py` prints. */
export interface PythonDescription {
  readonly name: string;
  readonly description: string;
  /** The JS keys, plus the driver's own: `pipe` (the logger writes a pipe the child drains) and `asyncio` (the producers are asyncio tasks on one event loop). */
  readonly capabilities: Capabilities & { readonly pipe?: boolean; readonly asyncio?: boolean };
  readonly versions: Readonly<Record<string, string>>;
  /** The scenarios the Python driver implements. */
  readonly scenarios: readonly string[];
  /** Why the adapter cannot run with this interpreter (its package is not installed): its runs are skipped. */
  readonly unavailable?: string;
}

/** The child → the Python driver, as JSON in argv. */
export interface PythonRunSpec {
  readonly adapter: string;
  readonly scenario: string;
  readonly seed: number;
  readonly params: unknown;
  readonly file: string;
  readonly eventsFd: number;
  /** A pipe the child drains into the sink file (capability `pipe`). */
  readonly streamFd: number;
  /** Where faulthandler writes every thread's stack on SIGUSR1. */
  readonly stacksFile: string;
  readonly closeMs: number;
  readonly timeoutMs: number;
  readonly collector?: readonly [string, number];
  /** The driver asks for its records (`py-messages`) and reads the answers on its stdin. */
  readonly requests: boolean;
}

/** The answers to `py-hello` and `py-messages`, one JSON line each on the driver's stdin. */
export type PythonAnswer = { readonly go: true } | { readonly skip: string } | { readonly path: string } | { readonly error: string };

/** One Python thread, as the driver's heartbeat shows it. */
export interface PythonThread {
  readonly ident: number;
  readonly name: string;
  readonly state: string;
  readonly op: string;
  readonly daemon: boolean;
  readonly produced?: number;
  readonly target?: number;
  readonly held?: readonly { readonly lock: string; readonly site: string }[];
  readonly waiting?: {
    readonly kind: string;
    readonly on: string;
    readonly holders: readonly string[];
    readonly site: string;
    readonly forMs: number;
  };
}

export type PythonEvent =
  | ChildEvent
  | { readonly type: 'sink'; readonly path: string; readonly format: Capabilities['format']; readonly files?: readonly string[] }
  | {
      /** The adapter, loaded: the child answers go, or skip with the scenario's reason. */
      readonly type: 'py-hello';
      readonly pid: number;
      /** The driver's own reason to skip (the adapter is unavailable, or the driver has no Python version of the scenario). */
      readonly skip?: string;
    } & Omit<PythonDescription, 'path'>
  | { readonly type: 'py-lock'; readonly id: number; readonly name: string }
  | {
      /** Asks for producer `p`'s records, encoded by the ledger's own encoder, in a file (one per line). */
      readonly type: 'py-messages';
      readonly producer: number;
      /** The first record's sequence number, and how many. */
      readonly start: number;
      readonly records: number;
      readonly minPayload: number;
      readonly maxPayload: number;
      /** Payload characters, as record.ts's PayloadText. */
      readonly text: 'ascii' | 'utf8';
    }
  | {
      readonly type: 'py-edge';
      readonly from: string;
      readonly to: string;
      readonly thread: string;
      /** Most recent call first, one `at file:line in func` per line. */
      readonly site: string;
      readonly guards: readonly number[];
    }
  | {
      readonly type: 'py-progress';
      readonly elapsedMs: number;
      /** The driver still has work to do (its load, or the shutdowns). */
      readonly busy: boolean;
      readonly produced: readonly number[];
      readonly targets: readonly number[];
      /** Writes through the harness sink (a listener's progress while producers wait), and chunks of records prepared. */
      readonly progress: number;
      readonly threads: readonly PythonThread[];
    };
