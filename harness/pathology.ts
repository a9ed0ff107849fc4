/**
 * How a scenario's sink pathology reaches an adapter: through logjam's `createSink` options for
 * loggers that write through it (capability `harnessSink`), or through a paced named pipe for
 * loggers that open the sink path themselves (capability `pathSink`, the default otherwise).
 */

import type { Capabilities } from './adapter.js';

export type InjectionPath = 'harness-sink' | 'paced-pipe';

export function injectionPath(capabilities: Capabilities): InjectionPath | undefined {
  if (capabilities.harnessSink === true) return 'harness-sink';
  if (capabilities.pathSink !== false) return 'paced-pipe';
  return undefined;
}

/** The skip reason for an adapter no pacing can reach. */
export function skipUnpaceable(capabilities: Capabilities): string | undefined {
  return injectionPath(capabilities) === undefined
    ? 'the adapter neither writes through logjam\'s createSink nor opens the sink path itself (pathSink: false), so no sink pathology can reach it'
    : undefined;
}

/** Milliseconds to sleep after each chunk of `chunkBytes` for a rate of `mbPerSec`. */
export function chunkDelayMs(chunkBytes: number, mbPerSec: number): number {
  return (chunkBytes / (mbPerSec * 1024 * 1024)) * 1000;
}
