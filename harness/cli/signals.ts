/**
 * Every way to stop is clean. While a command runs, SIGINT, SIGTERM and SIGHUP (Ctrl-C, a CI
 * system cancelling the job, `timeout`, `docker stop`, a closed terminal) stop it in order: the
 * run under way is ended with its whole process group (the supervisor's abort path), the suite
 * returns what it gathered, the command writes its report files and removes its temp folder,
 * and exits 3 (interrupted). A second signal does not wait for that: it ends every process
 * group still registered, removes the temp folders, lets the command write what it has
 * synchronously (`onForce`), and exits 3 at once.
 *
 * A closed stdout (`logjam run | head -1`) is a stop too, a quiet one: nobody reads the rest.
 */

import { cleanUpNow } from '../util/cleanup.js';
import { EXIT } from '../contract/result.js';

export type StopCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stdout closed';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// Captured at startup: a logger loaded into this process may patch process methods.
const exitProcess = process.exit.bind(process);
const stderrWrite = process.stderr.write.bind(process.stderr);

let stdoutClosed = false;
let current: { readonly watch: StopWatch; readonly stop: (why: StopCause) => void } | undefined;

/** Whether stdout's reader has gone (EPIPE): writes to it are dropped from then on. */
export function isStdoutClosed(): boolean {
  return stdoutClosed;
}

export interface StopWatch {
  /** Aborts at the first stop. */
  readonly signal: AbortSignal;
  /** What stopped the command, if anything did. */
  readonly cause: StopCause | undefined;
  /** Sets what to write synchronously if a second signal ends the process at once. */
  onForce(write: () => void): void;
  dispose(): void;
}

/** Starts listening for stops; one command at a time. Dispose it when the command is done. */
export function watchStops(): StopWatch {
  current?.watch.dispose();
  const controller = new AbortController();
  let cause: StopCause | undefined;
  let force: (() => void) | undefined;
  const stop = (why: StopCause): void => {
    if (cause === undefined) {
      cause = why;
      if (why !== 'stdout closed') {
        say(`logjam: ${why}: stopping the run under way and writing what was gathered (${why === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to stop at once)\n`);
      }
      controller.abort(why);
      return;
    }
    if (why === 'stdout closed') return;
    say(`logjam: ${why} again: ending every run's processes and stopping now\n`);
    cleanUpNow();
    try {
      force?.();
    } catch (error: unknown) {
      say(`logjam: could not write what was gathered: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    exitProcess(EXIT.internal);
  };
  const handlers = SIGNALS.map((name) => [name, (): void => stop(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  const watch: StopWatch = {
    signal: controller.signal,
    get cause() {
      return cause;
    },
    onForce: (write) => {
      force = write;
    },
    dispose: () => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
      if (current?.watch === watch) current = undefined;
    },
  };
  current = { watch, stop };
  if (stdoutClosed) stop('stdout closed');
  return watch;
}

/**
 * Installs the closed-stdout handling once, at startup: an EPIPE on stdout stops the command
 * quietly (no stack), and errors on stderr are dropped (there is nowhere left to say them).
 */
export function handleClosedOutputs(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') return;
    stdoutClosed = true;
    current?.stop('stdout closed');
  });
  process.stderr.on('error', () => undefined);
}

function say(text: string): void {
  try {
    stderrWrite(text);
  } catch {
    // stderr is gone too.
  }
}
