/**
 * The process's open-file limit, and when a loopback collector's connections put the run near it.
 *
 * The collector runs inside the run's process (collector.ts), so every connection a logger opens
 * to it costs the process two file descriptors, the logger's end and the collector's, where the
 * logger alone, shipping to another machine, would hold one. A logger that opens a connection per
 * record (an HTTP appender without a pool) can then exhaust the process's descriptors under
 * logjam and not alone: whatever follows (accept failures, EMFILE in the logger or the harness)
 * is logjam's doing, so the run is reported as not judged.
 */

import { readFileSync } from 'node:fs';

/** Descriptors left aside for the process's own files, pipes and threads beyond the connections. */
export const FD_RESERVE = 256;

/** The soft "Max open files" of this process (Linux /proc/self/limits); undefined where unknown or unlimited. */
export function openFileLimit(text?: string): number | undefined {
  let limits = text;
  if (limits === undefined) {
    try {
      limits = readFileSync('/proc/self/limits', 'latin1');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  const n = soft === undefined ? NaN : Number(soft);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Connections at once beyond which the collector's share of the run's process is no longer small:
 * its thread accepts, parses and answers every one on the CPUs the logger's threads log on.
 * (Also the default open-file limit of many systems: a logger that opens this many at once
 * fails there alone, which logjam, holding both ends, cannot tell apart.)
 */
export const SHARED_CONNECTIONS = 1024;

/**
 * Whether `connections` held on both ends inside one process come within FD_RESERVE of `limit`,
 * or outgrow SHARED_CONNECTIONS.
 */
export function nearsFdLimit(connections: number, limit: number | undefined): boolean {
  return connections > SHARED_CONNECTIONS || (limit !== undefined && 2 * connections + FD_RESERVE >= limit);
}

/** The reason a run is not judged once that happened. */
export function fdSharedReason(connections: number, limit: number | undefined): string {
  return (
    `not judged: the logger opened more than ${connections - 1} connections to the collector at once; the collector runs ` +
    `inside the run's process, so it holds their other ends (twice the descriptors the logger alone would hold${limit !== undefined ? `, ulimit -n ${limit}` : ''}) and serves them on the CPUs the logger's threads log on: stalls, refused connections ` +
    `and EMFILE from here on would be logjam's doing as much as the logger's. A collector in another process ` +
    `is not built yet`
  );
}
