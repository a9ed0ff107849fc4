/**
 * How a scenario's sink pathology reaches an adapter: through logjam's `createSink` options for
 * loggers that write through it (capability `harnessSink`), or through a paced named pipe for
 * loggers that open the sink path themselves (capability `pathSink`, the default otherwise).
 */

import type { AdapterDefinition, Capabilities } from '../contract/adapter.js';
import { skipWithoutThreads } from '../contract/scenario.js';

export type InjectionPath = 'harness-sink' | 'paced-pipe';

export function injectionPath(capabilities: Capabilities): InjectionPath | undefined {
  if (capabilities.harnessSink === true) return 'harness-sink';
  // Records go over TCP or HTTP to logjam's collector, which writes the sink: tcp-collector
  // and http-collector inject its faults.
  if (capabilities.tcp === true || capabilities.http === true) return undefined;
  if (capabilities.pathSink !== false) return 'paced-pipe';
  return undefined;
}

/** The skip reason for an adapter no pacing can reach. */
/** skipUnpaceable, then skipWithoutThreads: the sink scenarios that pace worker threads' sinks. */
export function skipUnpaceableThreads(capabilities: Capabilities, adapter?: AdapterDefinition): string | undefined {
  return skipUnpaceable(capabilities, adapter) ?? skipWithoutThreads(capabilities);
}

export function skipUnpaceable(capabilities: Capabilities, adapter?: AdapterDefinition): string | undefined {
  const path = injectionPath(capabilities);
  if (path === undefined) {
    return capabilities.tcp === true
      ? 'the adapter sends its records over TCP to logjam\'s collector (tcp-collector injects faults there), so no paced pipe can reach it'
      : capabilities.http === true
        ? 'the adapter sends its records over HTTP to logjam\'s collector (http-collector injects faults there), so no paced pipe can reach it'
        : 'the adapter neither writes through logjam\'s createSink nor opens the sink path itself (pathSink: false), so no sink pathology can reach it';
  }
  if (path === 'paced-pipe' && adapter?.sinkFiles !== undefined) {
    return 'the adapter rotates its sink across several files (sinkFiles), so one paced pipe cannot stand in for its sink';
  }
  return undefined;
}

/** Milliseconds to sleep after each chunk of `chunkBytes` for a rate of `mbPerSec`. */
export function chunkDelayMs(chunkBytes: number, mbPerSec: number): number {
  return (chunkBytes / (mbPerSec * 1024 * 1024)) * 1000;
}
