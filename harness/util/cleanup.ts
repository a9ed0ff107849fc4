/**
 * What must not outlive the supervisor: the process groups of the runs (and describe children)
 * under way, and the temp folders of the suites. Everything that starts one registers it here,
 * so a second Ctrl-C or a SIGTERM that cannot wait for an orderly stop can still end them all
 * and remove the folders, synchronously, before the process exits.
 */

import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const groups = new Set<number>();
const dirs = new Set<string>();

/** Registers a child's process group (a child spawned with `detached: true`); returns the unregister. */
export function trackProcessGroup(pid: number | undefined): () => void {
  if (pid === undefined) return () => undefined;
  groups.add(pid);
  return () => void groups.delete(pid);
}

/** Registers a temp folder to remove if the process must end at once; returns the unregister. */
export function trackTempDir(dir: string): () => void {
  dirs.add(dir);
  return () => void dirs.delete(dir);
}

/** Ends every registered process group and removes every registered folder, now. */
export function cleanUpNow(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing more can be done on the way out.
    }
  }
  dirs.clear();
}

/** How many process groups are registered now (tests and the exit path read it). */
export function trackedGroups(): number {
  return groups.size;
}

/**
 * SIGKILLs a detached child's whole process group, or the child alone when the group is gone.
 * A child that never started has no pid: `process.kill(-0)` would then signal this process's
 * own group, so without a pid nothing is sent.
 */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
