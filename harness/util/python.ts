/**
 * Finding the Python driver shipped in the package and the interpreter to run it with, and
 * asking an adapter module what it is (`python -m logjam_driver describe`). Used by the CLI to
 * resolve `--adapter ./my_adapter.py` and by the run's child before it starts the driver.
 */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PythonDescription } from '../contract/python.js';
import { describeCache, listingDep, signatureOf, type DescribeCache, type FileSignature } from './describe-cache.js';

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

/**
 * Describes several modules with one interpreter (starting Python is the slow part), bounded by
 * `timeoutMs` in all. The same modules described before, with none of the files the
 * descriptions were made from changed since (describe-cache.ts), are answered from the cache
 * and start no interpreter. One entry per set of modules: `logjam list` reads one file, and an
 * edited adapter describes its set again.
 */
export async function describePythonAdapters(paths: readonly string[], python = pythonExecutable(), timeoutMs = 60_000, cache: DescribeCache = describeCache()): Promise<Map<string, Described>> {
  const env = pythonEnv();
  const selection = interpreterSelection(python, env);
  const modules = [...new Set(paths.map((p) => resolve(p)))].sort();
  const key = JSON.stringify({ kind: 'python-describe', python, ...selection.key, modules });
  const hit = cache.get<Record<string, PythonDescription>>(key);
  if (hit !== undefined) {
    try {
      return new Map(
        paths.map((p) => {
          const d = hit[resolve(p)];
          if (d === undefined) throw new Error(`no entry for ${p}`);
          return [p, { ok: true, description: checkVersion(d, python) }];
        }),
      );
    } catch {
      // An entry that no longer passes the check is described again, and says why there.
    }
  }
  // Taken before the interpreter reads them: an adapter edited while it is being described
  // leaves an entry the next lookup misses, not a stale one it trusts.
  const before: Record<string, FileSignature> = {};
  for (const file of [...selection.files, ...modules]) before[file] = signatureOf(file);
  const { described, deps } = await runDescribe(paths, python, env, timeoutMs);
  // Only descriptions are kept: an error (a module that failed at import, a timeout, no
  // interpreter) is asked again next time, since its cause may be outside every file.
  const value: Record<string, PythonDescription> = {};
  for (const [p, d] of described) if (d.ok) value[resolve(p)] = d.description;
  if (deps !== undefined && Object.keys(value).length === modules.length) cache.set(key, value, [...Object.keys(before), ...deps], before);
  return described;
}

/**
 * What chooses the interpreter and the modules it imports, besides the files it reads: the
 * command as found on PATH (every earlier PATH folder's candidate too, so a new interpreter
 * that would shadow it is a change), the environment variables that pick a version or a module
 * path, the working folder (`python -m` puts it first on sys.path), and the version files of
 * the version managers that read them (pyenv's .python-version and version, asdf's
 * .tool-versions) from the working folder up.
 */
function interpreterSelection(python: string, env: NodeJS.ProcessEnv): { readonly key: Record<string, string | undefined>; readonly files: readonly string[] } {
  const cwd = process.cwd();
  const files: string[] = [];
  if (python.includes('/')) files.push(resolve(python));
  else {
    for (const dir of (env['PATH'] ?? '').split(delimiter)) {
      if (dir === '') continue;
      const candidate = resolve(dir, python);
      files.push(candidate);
      if (signatureOf(candidate).startsWith('f:')) break;
    }
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    files.push(join(dir, '.python-version'), join(dir, '.tool-versions'));
    if (dirname(dir) === dir) break;
  }
  const pyenvRoot = env['PYENV_ROOT'] !== undefined && env['PYENV_ROOT'] !== '' ? env['PYENV_ROOT'] : join(homedir(), '.pyenv');
  files.push(join(pyenvRoot, 'version'));
  const key: Record<string, string | undefined> = { cwd };
  for (const name of ['PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONSAFEPATH', 'PYTHONNOUSERSITE', 'PYTHONUSERBASE', 'PYENV_VERSION', 'PYENV_ROOT', 'VIRTUAL_ENV', 'CONDA_PREFIX', 'ASDF_PYTHON_VERSION']) {
    key[name] = env[name];
  }
  return { key, files };
}

/** One `python -m logjam_driver describe` of `paths`, with the files the driver says it read. */
async function runDescribe(
  paths: readonly string[],
  python: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ readonly described: Map<string, Described>; readonly deps?: readonly string[] }> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolveDescribe) => {
    const all = (d: Described): { described: Map<string, Described> } => ({ described: new Map(paths.map((p) => [p, d])) });
    const child = spawn(python, ['-m', 'logjam_driver', 'describe', ...paths], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // When: the interpreter could not be started (not installed, not executable).
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolveDescribe(all({ ok: false, reason: 'no-python', message: `No Python interpreter \`${python}\` (${error.code ?? error.message}). ${INSTALL_PYTHON}` }));
    });
    // When: the describe command ended; its pipes are drained by then ('close', not 'exit').
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const found = new Map<string, Described>();
      let deps: readonly string[] | undefined;
      for (const line of out.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const d = JSON.parse(line) as (PythonDescription & { readonly path: string }) | { readonly path: string; readonly error: string } | { readonly deps: unknown };
          if ('deps' in d) {
            // The last line; a shape other than the driver's caches nothing.
            deps = depsOf(d.deps);
            continue;
          }
          found.set(d.path, 'error' in d ? { ok: false, reason: 'invalid', message: d.error } : { ok: true, description: checkVersion(d, python) });
        } catch (error: unknown) {
          return resolveDescribe(all({ ok: false, reason: 'invalid', message: `${python} could not run logjam's Python driver: ${error instanceof Error ? error.message : String(error)}. ${INSTALL_PYTHON}` }));
        }
      }
      const why =
        signal !== null
          ? `did not answer within ${timeoutMs} ms (a module that hangs at import, or a machine too loaded to start Python)`
          : err.trim() || `exited with code ${code}`;
      // A driver that did not end cleanly caches nothing: its list of files may be short.
      const complete = code === 0 && signal === null ? deps : undefined;
      resolveDescribe({
        described: new Map(paths.map((p) => [p, found.get(p) ?? { ok: false, reason: 'invalid', message: `Could not load the Python adapter ${p} with ${python}: ${why}` }])),
        ...(complete !== undefined ? { deps: complete } : {}),
      });
    });
  });
}

/** The driver's `{ files, shadows }` as the cache's dependency list; undefined for any other shape. */
function depsOf(deps: unknown): string[] | undefined {
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (typeof deps !== 'object' || deps === null) return undefined;
  const { files, shadows } = deps as { files?: unknown; shadows?: unknown };
  if (!strings(files) || typeof shadows !== 'object' || shadows === null) return undefined;
  const out = [...files];
  for (const [folder, names] of Object.entries(shadows)) {
    if (!strings(names)) return undefined;
    out.push(listingDep(folder, names));
  }
  return out;
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
