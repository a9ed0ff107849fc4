/**
 * Waits with deadlines. Every timer is cleared on every path, and a timer never keeps a run's
 * process alive on its own.
 */

import type { Finding } from '../contract/result.js';
import { LoadClock, readRunQueueWaits } from './cpu-clock.js';

export type Timed<T> = { readonly ok: true; readonly value: T; readonly ms: number } | { readonly ok: false; readonly ms: number; readonly error?: string };

/** Resolves with the outcome of `work` or, after `ms`, with a timeout; never rejects. */
export async function withDeadline<T>(work: () => Promise<T> | T, ms: number): Promise<Timed<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return raceDeadline(work, timeout, started, () => clearTimeout(timer));
}

/** `work` against `timeout`, timed from `started`; `stop` ends the timeout's timer either way. */
async function raceDeadline<T>(work: () => Promise<T> | T, timeout: Promise<'timeout'>, started: number, stop: () => void): Promise<Timed<T>> {
  try {
    const outcome = await Promise.race([Promise.resolve().then(work), timeout]);
    const elapsed = Math.round(performance.now() - started);
    if (outcome === 'timeout') return { ok: false, ms: elapsed };
    return { ok: true, value: outcome, ms: elapsed };
  } catch (error: unknown) {
    return { ok: false, ms: Math.round(performance.now() - started), error: errorMessage(error) };
  } finally {
    stop();
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface CloseOutcome {
  readonly ok: boolean;
  readonly ms: number;
  /** Set when the shutdown threw; absent on a timeout. */
  readonly error?: string;
}

/** How often a CPU-clock deadline reads the process's threads. */
const CPU_LOOK_MS = 100;

/**
 * `withDeadline`, with `ms` counted on this process's CPU clock (cpu-clock.ts): time its threads
 * stood ready without a CPU does not count, so a loaded machine stretches the bound instead of
 * cutting short a shutdown that drains its backlog slowly for lack of a CPU (issue 13: winston
 * over a slow pipe, beside two CPU-burning processes). A shutdown that waits on something that
 * never comes waits for no CPU, and times out once `ms` has passed on the wall. The outcome's
 * `ms` is wall time.
 */
export async function withCpuDeadline<T>(work: () => Promise<T> | T, ms: number): Promise<Timed<T>> {
  const started = performance.now();
  const clock = new LoadClock(started, CPU_LOOK_MS, readRunQueueWaits());
  let poll: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    poll = setInterval(() => {
      if (clock.tick(performance.now(), readRunQueueWaits()) - started >= ms) resolve('timeout');
    }, CPU_LOOK_MS);
  });
  return raceDeadline(work, timeout, started, () => clearInterval(poll));
}

/** Runs a logger's documented shutdown, if it has one, bounded by `ms` on the process's CPU clock. */
export async function closeWithDeadline(logger: { close?(): Promise<void> | void }, ms: number): Promise<CloseOutcome> {
  if (logger.close === undefined) return { ok: true, ms: 0 };
  const closed = await withCpuDeadline(() => logger.close?.(), ms);
  if (closed.ok) return { ok: true, ms: closed.ms };
  return { ok: false, ms: closed.ms, ...(closed.error !== undefined ? { error: closed.error } : {}) };
}

/**
 * The finding for a documented shutdown that did not succeed, or undefined when it did.
 *
 * A shutdown that outlived its bound is an `exit-hang`: the application waiting on it waits
 * that long. A shutdown that settled with an error did not hang: it failed, and the error came
 * out of the logger into the application's `await`, which is what `unhandled-error` means
 * ("an error escaped the logger"); the evidence says it was the shutdown and how long it took.
 */
export function shutdownFinding(
  what: string,
  closed: CloseOutcome,
  boundMs: number,
  evidence: Readonly<Record<string, unknown>> = {},
  context = '',
): Finding | undefined {
  if (closed.ok) return undefined;
  if (closed.error !== undefined) {
    return {
      kind: 'unhandled-error',
      severity: 'error',
      message: `${what} failed after ${closed.ms} ms${context}: ${closed.error}`,
      evidence: { ...evidence, shutdown: what, error: closed.error, closeMs: closed.ms, boundMs },
    };
  }
  return {
    kind: 'exit-hang',
    severity: 'error',
    message: `${what} did not finish within ${boundMs} ms${context} (its callback or promise never settled)`,
    evidence: { ...evidence, shutdown: what, closeMs: closed.ms, boundMs },
  };
}
