/**
 * Finding the Python driver shipped in the package and the interpreter to run it with, and
 * asking an adapter module what it is (`python -m logjam_driver describe`). Used by the CLI to
 * resolve `--adapter ./my_adapter.py` and by the run's child before it starts the driver.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PythonDescription } from '../contract/python.js';

/** The interpreter the CLI's `--python` names; `python3` on PATH by default. */
export const PYTHON_ENV = 'LOGJAM_PYTHON';

export function pythonExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[PYTHON_ENV];
  return named !== undefined && named !== '' ? named : 'python3';
}

/** The package's `python/` folder (holding logjam_driver/ and the bundled adapters), from dist/ or from the sources. */
export function pythonRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'python', 'logjam_driver', '__main__.py'))) return join(dir, 'python');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('the Python driver (python/logjam_driver) is missing from the logjam package: this is a harness bug');
    dir = parent;
  }
}

/** The environment the driver runs in: the driver importable, no bytecode written into the package. */
export function pythonEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = env['PYTHONPATH'];
  return {
    ...env,
    PYTHONPATH: path !== undefined && path !== '' ? `${pythonRoot()}${delimiter}${path}` : pythonRoot(),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
  };
}

export const INSTALL_PYTHON =
  'Install Python 3.9 or newer (Debian/Ubuntu: apt-get install python3) or name an interpreter with --python PATH (or LOGJAM_PYTHON)';

export type Described =
  | { readonly ok: true; readonly description: PythonDescription }
  | { readonly ok: false; readonly reason: 'no-python' | 'invalid'; readonly message: string };

/**
 * Runs the driver's `describe` on an adapter module, bounded by `timeoutMs`: a module that
 * hangs at import is reported, not waited for.
 */
export async function describePythonAdapter(path: string, python = pythonExecutable(), timeoutMs = 60_000): Promise<Described> {
  return (await describePythonAdapters([path], python, timeoutMs)).get(path) as Described;
}

/** Describes several modules with one interpreter (starting Python is the slow part), bounded by `timeoutMs` in all. */
export function describePythonAdapters(paths: readonly string[], python = pythonExecutable(), timeoutMs = 60_000): Promise<Map<string, Described>> {
  return new Promise((resolve) => {
    const all = (d: Described): Map<string, Described> => new Map(paths.map((p) => [p, d]));
    const child = spawn(python, ['-m', 'logjam_driver', 'describe', ...paths], { env: pythonEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // When: the interpreter could not be started (not installed, not executable).
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(all({ ok: false, reason: 'no-python', message: `No Python interpreter \`${python}\` (${error.code ?? error.message}). ${INSTALL_PYTHON}` }));
    });
    // When: the describe command ended; its pipes are drained by then ('close', not 'exit').
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const found = new Map<string, Described>();
      for (const line of out.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const d = JSON.parse(line) as (PythonDescription & { readonly path: string }) | { readonly path: string; readonly error: string };
          found.set(d.path, 'error' in d ? { ok: false, reason: 'invalid', message: d.error } : { ok: true, description: checkVersion(d, python) });
        } catch (error: unknown) {
          return resolve(all({ ok: false, reason: 'invalid', message: `${python} could not run logjam's Python driver: ${error instanceof Error ? error.message : String(error)}. ${INSTALL_PYTHON}` }));
        }
      }
      const why =
        signal !== null
          ? `did not answer within ${timeoutMs} ms (a module that hangs at import, or a machine too loaded to start Python)`
          : err.trim() || `exited with code ${code}`;
      resolve(new Map(paths.map((p) => [p, found.get(p) ?? { ok: false, reason: 'invalid', message: `Could not load the Python adapter ${p} with ${python}: ${why}` }])));
    });
  });
}

function checkVersion(d: PythonDescription, python: string): PythonDescription {
  const version = d.versions['python'] ?? '0';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 9)) {
    throw new Error(`${python} is Python ${version}; the driver needs 3.9 or newer. ${INSTALL_PYTHON}`);
  }
  return d;
}

/** A word a POSIX shell reads back as it is (an interpreter path in a replay command): quoted only when it has to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
