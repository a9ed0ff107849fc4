/**
 * `--logger-version pino@8.0.0`: installs exact releases of a logger, or of one of its helpers
 * (`thread-stream@4.2.0`), into a cache folder and points every run at it, so a regression can
 * be bisected across releases without touching the project.
 *
 * One cache folder per set of pins, e.g. ~/.cache/logjam/pino@8.0.0+thread-stream@4.2.0/, made
 * with `npm install --ignore-scripts` from a generated package.json: loggers are dependencies,
 * helpers are npm `overrides` (so the logger really loads the pinned helper). A folder is
 * reused once complete; it is built beside its final place and renamed in, so two logjam
 * processes never read a half-installed one.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findPackageDir, LOGGER_PATH_ENV, searchRoots } from '../../adapters/load.js';
import { HELPERS, type LoggerName } from '../../adapters/loggers.js';
import { UsageError } from '../contract/errors.js';
import { cacheRoot } from '../util/describe-cache.js';

/** The pins as the user gave them (`pino@8.0.0 thread-stream@4.2.0`), for replay commands. */
export const PINS_ENV = 'LOGJAM_LOGGER_VERSIONS';

export interface VersionPin {
  readonly name: string;
  readonly version: string;
}

export { cacheRoot };

const PIN = /^((?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;

/** Parses `name@1.2.3` values; exact versions only, so a report names what really ran. */
export function parsePins(values: readonly string[]): VersionPin[] {
  const pins = new Map<string, VersionPin>();
  for (const value of values) {
    const m = PIN.exec(value.trim());
    if (m === null) {
      throw new UsageError(
        `Expected \`--logger-version\` to be a package and an exact version, e.g. pino@8.0.0 or thread-stream@4.2.0; got \`${value}\``,
      );
    }
    const pin = { name: m[1] ?? '', version: m[2] ?? '' };
    const earlier = pins.get(pin.name);
    if (earlier !== undefined && earlier.version !== pin.version) {
      throw new UsageError(`Expected one version of ${pin.name}, got ${earlier.version} and ${pin.version}`);
    }
    pins.set(pin.name, pin);
  }
  return [...pins.values()];
}

const LOGGERS = Object.keys(HELPERS) as LoggerName[];
const isLogger = (name: string): name is LoggerName => (LOGGERS as string[]).includes(name);

/** The logger a helper belongs to, when logjam knows it. */
function ownerOf(helper: string): LoggerName | undefined {
  return LOGGERS.find((logger) => (HELPERS[logger] as readonly string[]).includes(helper));
}

/** The generated package.json of a cache folder. */
export function cacheManifest(pins: readonly VersionPin[], currentVersion: (logger: LoggerName) => string | undefined): {
  dependencies: Record<string, string>;
  overrides: Record<string, string>;
} {
  const dependencies: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (const pin of pins) {
    if (isLogger(pin.name)) {
      dependencies[pin.name] = pin.version;
      continue;
    }
    overrides[pin.name] = pin.version;
    // A helper pinned alone: the logger that uses it must be in the cache too, at the version
    // the project would load, or the override reaches nothing.
    const owner = ownerOf(pin.name);
    if (owner === undefined && !pins.some((p) => isLogger(p.name))) {
      throw new UsageError(
        `Expected \`--logger-version ${pin.name}@${pin.version}\` to come with the logger that uses it (e.g. --logger-version pino@10.4.0): logjam does not know which logger ${pin.name} belongs to`,
      );
    }
    if (owner !== undefined && !pins.some((p) => p.name === owner)) {
      const version = currentVersion(owner);
      if (version === undefined) throw new UsageError(`Expected ${owner} to be installed to pin its helper ${pin.name}; pin it too: --logger-version ${owner}@<version>`);
      dependencies[owner] = version;
    }
  }
  return { dependencies, overrides };
}

/** The folder name for a set of pins: stable whatever the order they were given in. */
export function cacheKey(pins: readonly VersionPin[]): string {
  return [...pins]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.name.replace('/', '+')}@${p.version}`)
    .join('+');
}

export interface InstallOutcome {
  readonly dir: string;
  /** Whether it was installed now (false: reused from the cache). */
  readonly installed: boolean;
  readonly ms: number;
}

/**
 * Makes sure a cache folder with these pins exists (installing it with npm if needed) and puts
 * it first on the loggers' search path for this process and every run it starts.
 */
export function useLoggerVersions(pins: readonly VersionPin[], options: { readonly timeoutMs?: number; readonly log?: (line: string) => void } = {}): InstallOutcome {
  const started = performance.now();
  const root = cacheRoot();
  const dir = join(root, cacheKey(pins));
  let installed = false;
  if (!existsSync(join(dir, '.logjam-complete'))) {
    installed = true;
    const manifest = cacheManifest(pins, currentVersion);
    options.log?.(`logjam: installing ${pins.map((p) => `${p.name}@${p.version}`).join(' ')} into ${dir}\n`);
    mkdirSync(root, { recursive: true });
    const staging = `${dir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ name: 'logjam-logger-cache', private: true, ...manifest }, null, 2)}\n`);
    const npm = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
      cwd: staging,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 180_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    if (npm.error !== undefined || npm.status !== 0) {
      rmSync(staging, { recursive: true, force: true });
      const why = npm.error !== undefined ? npm.error.message : (npm.stderr || npm.stdout).trim().split('\n').slice(-6).join('\n');
      throw new UsageError(`Could not install ${pins.map((p) => `${p.name}@${p.version}`).join(' ')} with npm (is the version published, and is npm on PATH with a reachable registry?):\n${why}`);
    }
    writeFileSync(join(staging, '.logjam-complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(staging, dir);
    } catch {
      // Another logjam finished the same folder first: use it, drop ours.
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(dir, '.logjam-complete'))) throw new Error(`could not move ${staging} to ${dir}: this is a harness bug`);
    }
  }
  const previous = process.env[LOGGER_PATH_ENV];
  process.env[LOGGER_PATH_ENV] = previous !== undefined && previous !== '' ? `${dir}${delimiter}${previous}` : dir;
  return { dir, installed, ms: Math.round(performance.now() - started) };
}

/** The version of a logger the project (or logjam) would load, without loading it. */
function currentVersion(logger: LoggerName): string | undefined {
  for (const root of searchRoots()) {
    const dir = findPackageDir(root.dir, logger);
    if (dir === undefined) continue;
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    } catch {
      continue;
    }
  }
  return undefined;
}
