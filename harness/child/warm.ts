/**
 * A warm run process (see harness/run/pool.ts): started before its run is due, it loads what the
 * run will need and then blocks until the supervisor hands it the run's RunSpec on stdin.
 *
 * Loading ahead is only a head start: the run's own `import()` of the same URLs finds them in
 * the module cache. A module that fails to load here fails the same way there, where the
 * failure is reported as the run's; nothing is reported from here. Nothing this file starts
 * keeps the process alive: the wait is a blocking read on fd 0, not a handle on the loop, so
 * whether the logger lets the process exit is still what the run observes.
 */

import { closeSync, readSync, writeSync } from 'node:fs';
import { asScenario } from '../contract/scenario.js';
import { defaultExport } from '../contract/adapter.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import type { RunSpec, WarmStart } from '../contract/protocol.js';
import { installWorkerTracker } from './worker-tracker.js';

const READY_FD = 4;

export async function receiveSpec(warm: WarmStart): Promise<RunSpec> {
  try {
    const scenario = asScenario(defaultExport(await import(warm.scenarioUrl)), warm.scenarioUrl);
    // As child.ts does, before the adapter's module loads, so the logger's Worker is the tracked one.
    if (scenario.trackWorkers === true) installWorkerTracker();
    // A Python adapter is a program the bridge starts when the run begins, not a module to load.
    if (!isPythonAdapterUrl(warm.adapterUrl)) await import(warm.adapterUrl);
  } catch {
    // Reported by the run itself, which imports the same URLs again.
  }
  // Loaded: tell the pool on fd 4 (its own pipe, so the run's event channel stays untouched),
  // then close it. The pool starts a run judged by time only once no warm process is loading.
  try {
    writeSync(READY_FD, 'r');
    closeSync(READY_FD);
  } catch {
    // No pool listening (started by hand): nothing to tell.
  }
  return JSON.parse(readLine(0)) as RunSpec;
}

/**
 * One line from a file descriptor, blocking. Node leaves a child's stdio descriptors in blocking
 * mode, so readSync parks the thread in the kernel until the supervisor writes; EAGAIN (a
 * non-blocking descriptor after all) is retried after a short bounded wait. End of input without
 * a line means the supervisor went away before handing a run over: exit quietly.
 */
function readLine(fd: number): string {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      throw error;
    }
    if (n === 0) process.exit(0);
    const chunk = Buffer.from(buffer.subarray(0, n));
    chunks.push(chunk);
    if (chunk.includes(0x0a)) return Buffer.concat(chunks).toString('utf8').split('\n')[0] ?? '';
  }
}
