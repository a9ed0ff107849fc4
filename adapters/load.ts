/**
 * Where the bundled adapters load their logger from: the user's project first, logjam's own
 * dependency last, so `npx logjam run` in a project that pins winston 3.8 tests winston 3.8.
 *
 * Search order, the same in the CLI, every run's child process and every worker thread (they
 * all read the same environment):
 * 1. the folders in `LOGJAM_LOGGER_PATH` (the version cache `--logger-version` fills);
 * 2. the project: `LOGJAM_PROJECT`, which the CLI sets to its working folder, or the working
 *    folder itself, resolved as a `require` from that folder's package.json would;
 * 3. logjam's own dependency.
 *
 * A helper (sonic-boom, thread-stream, winston-transport, streamroller) is looked up from the
 * folder of the logger that was loaded, as the logger's own `require` finds it.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders (path-delimited) searched before the project: the version cache. */
export const LOGGER_PATH_ENV = 'LOGJAM_LOGGER_PATH';
/** The project folder loggers are loaded from; the CLI sets it so every process agrees. */
export const PROJECT_ENV = 'LOGJAM_PROJECT';

export interface LoadedPackage<T> {
  readonly module: T;
  /** The package's folder. */
  readonly dir: string;
  readonly version: string;
  /** Where it came from: a cache folder, the project, or logjam's own dependencies. */
  readonly origin: 'cache' | 'project' | 'logjam';
}

const loaded = new Map<string, LoadedPackage<unknown>>();
const OWN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The folders searched, in order, with where each came from. */
export function searchRoots(env: NodeJS.ProcessEnv = process.env): { readonly dir: string; readonly origin: LoadedPackage<unknown>['origin'] }[] {
  const cache = (env[LOGGER_PATH_ENV] ?? '').split(delimiter).filter((d) => d !== '');
  const project = env[PROJECT_ENV] !== undefined && env[PROJECT_ENV] !== '' ? env[PROJECT_ENV] : process.cwd();
  return [
    ...cache.map((dir) => ({ dir: resolve(dir), origin: 'cache' as const })),
    { dir: resolve(project), origin: 'project' as const },
    // logjam's own folder: from dist/adapters, two levels up holds node_modules (or a parent does).
    { dir: OWN_ROOT, origin: 'logjam' as const },
  ];
}

/** The folder and version loadLogger would load `name` from; the same search, nothing required. */
function locateLogger(name: string): { readonly dir: string; readonly version: string } {
  for (const root of searchRoots()) {
    const dir = findPackageDir(root.dir, name);
    if (dir !== undefined) return { dir, version: readVersion(dir) ?? 'unknown' };
  }
  return loadLogger(name);
}

/**
 * Loads a logger package (CommonJS, as winston, bunyan, log4js and pino are) from the first
 * search root that has it. Cached per process and thread.
 */
export function loadLogger<T>(name: string): LoadedPackage<T> {
  const hit = loaded.get(name);
  if (hit !== undefined) return hit as LoadedPackage<T>;
  for (const root of searchRoots()) {
    const dir = findPackageDir(root.dir, name);
    if (dir === undefined) continue;
    const module = createRequire(join(dir, 'package.json'))(dir) as T;
    const entry: LoadedPackage<T> = { module, dir, version: readVersion(dir) ?? 'unknown', origin: root.origin };
    loaded.set(name, entry);
    return entry;
  }
  throw new Error(
    `Expected the logger package \`${name}\` to be installed in the project (${searchRoots().map((r) => r.dir).join(', ')}); it is in none of them. Install it (npm install ${name}) or pass --logger-version ${name}@<version>.`,
  );
}

/**
 * Exact versions of a loaded logger and its helpers, each helper as the logger resolves it.
 * Helpers that are not installed are left out.
 */
export function loggerVersions(name: string, helpers: readonly string[] = []): Record<string, string> {
  // Located as loadLogger would load it, without loading it: `logjam list` prints versions
  // of sixteen adapters and must not require four logger libraries to do it.
  const logger = loaded.get(name) ?? locateLogger(name);
  const versions: Record<string, string> = { [name]: logger.version };
  for (const helper of helpers) {
    const dir = findPackageDir(logger.dir, helper);
    const version = dir === undefined ? undefined : readVersion(dir);
    if (version !== undefined) versions[helper] = version;
  }
  return versions;
}

/** The package.json files looked for since `recordProbes()`, found or not (the describe cache's dependencies). */
let probes: Set<string> | undefined;

/**
 * Starts recording every package.json this module looks for (locating a logger, reading a
 * version): `logjam list` keeps its versions in the describe cache, valid while none of these
 * files appears, disappears or changes.
 */
export function recordProbes(): Set<string> {
  probes ??= new Set();
  return probes;
}

/** Node's node_modules walk from `from` upwards, for a package's folder (no `exports` rules). */
export function findPackageDir(from: string, name: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    probes?.add(join(candidate, 'package.json'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readVersion(dir: string): string | undefined {
  probes?.add(join(dir, 'package.json'));
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
