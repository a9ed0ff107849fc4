/**
 * The describe cache (issue 17): what describing a module costs once (starting Python to read a
 * Python adapter's name, description and capabilities; importing every bundled adapter and
 * scenario for `logjam list`), kept on disk so the next `logjam list` or `logjam ci` spawns no
 * interpreter and imports no module when nothing changed.
 *
 * An entry is a value plus the files it was made from, each with its stat signature (size and
 * modification time, or "absent"). A lookup stats those files again and answers only when every
 * signature is the same: a changed, added or removed file is a miss, and the caller describes
 * again and stores the new entry. The key names what is not a file (the interpreter command,
 * the environment variables that choose modules, the working folder).
 *
 * The cache is a convenience and never a source of truth: an unreadable, corrupt or foreign
 * entry is a miss, a write that fails is ignored, and `LOGJAM_NO_CACHE=1` turns it off.
 * Entries are written beside their place and renamed in, so a concurrent logjam never reads a
 * half-written one.
 */

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Turns the describe cache off (`LOGJAM_NO_CACHE=1`): every describe runs again. */
export const NO_CACHE_ENV = 'LOGJAM_NO_CACHE';

/** Where logjam's cache folders live: `LOGJAM_CACHE_DIR`, else `$XDG_CACHE_HOME/logjam`, else ~/.cache/logjam. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['LOGJAM_CACHE_DIR'] !== undefined && env['LOGJAM_CACHE_DIR'] !== '') return env['LOGJAM_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'logjam');
}

/** A file's identity for the cache: size and modification time (ns where the platform has it), or absent. */
export type FileSignature = string;

const LISTING = '\0names-in\0';

/**
 * A dependency on which of `names` a folder holds, not on the folder's time: for a project
 * folder on a module path, whose time any edit in it changes, but where only a new file that
 * would shadow an imported module changes what a describe finds. One readdir to check.
 */
export function listingDep(folder: string, names: readonly string[]): string {
  return `${LISTING}${folder}\0${names.join('\0')}`;
}

export function signatureOf(path: string): FileSignature {
  if (path.startsWith(LISTING)) {
    const [folder = '', ...names] = path.slice(LISTING.length).split('\0');
    try {
      const wanted = new Set(names);
      return `n:${readdirSync(folder).filter((n) => wanted.has(n)).sort().join('/')}`;
    } catch {
      return 'absent';
    }
  }
  try {
    const s = statSync(path, { bigint: true });
    return `${s.isDirectory() ? 'd' : 'f'}:${s.size}:${s.mtimeNs}:${s.ino}`;
  } catch {
    return 'absent';
  }
}

interface Entry<T> {
  readonly schema: typeof SCHEMA;
  readonly key: string;
  readonly files: Readonly<Record<string, FileSignature>>;
  readonly value: T;
}

const SCHEMA = 'logjam.describe-cache/1';

export interface DescribeCache {
  /** The value stored under `key`, if every file it was made from is unchanged. */
  get<T>(key: string): T | undefined;
  /**
   * Stores `value` under `key`, made from `files`. Signatures in `before` (taken before the
   * describe read the files) win over a stat now, so a file edited while it was being described
   * leaves an entry that the next lookup misses instead of a stale one that it trusts.
   */
  set(key: string, value: unknown, files: Iterable<string>, before?: Readonly<Record<string, FileSignature>>): void;
}

/** The cache in `dir` (default: `<cacheRoot>/describe`); a no-op when `LOGJAM_NO_CACHE` is set. */
export function describeCache(env: NodeJS.ProcessEnv = process.env, dir = join(cacheRoot(env), 'describe')): DescribeCache {
  const off = env[NO_CACHE_ENV] !== undefined && env[NO_CACHE_ENV] !== '' && env[NO_CACHE_ENV] !== '0';
  // Files shared by many entries (the Python adapters' common interpreter and standard library)
  // are stat'ed once per cache instance: an instance lives for one lookup pass, not for a run.
  const seen = new Map<string, FileSignature>();
  const current = (path: string): FileSignature => {
    let signature = seen.get(path);
    if (signature === undefined) seen.set(path, (signature = signatureOf(path)));
    return signature;
  };
  const fileOf = (key: string): string => join(dir, `${hashOf(key)}.json`);
  return {
    get<T>(key: string): T | undefined {
      if (off) return undefined;
      let entry: Entry<T>;
      try {
        entry = JSON.parse(readFileSync(fileOf(key), 'utf8')) as Entry<T>;
      } catch {
        return undefined;
      }
      // A corrupt or foreign file, or a hash collision: a miss, never a wrong answer.
      if (entry === null || typeof entry !== 'object' || entry.schema !== SCHEMA || entry.key !== key || typeof entry.files !== 'object' || entry.files === null) return undefined;
      for (const [path, signature] of Object.entries(entry.files)) {
        if (current(path) !== signature) return undefined;
      }
      return entry.value;
    },
    set(key: string, value: unknown, files: Iterable<string>, before: Readonly<Record<string, FileSignature>> = {}): void {
      if (off) return;
      const signatures: Record<string, FileSignature> = {};
      for (const path of files) signatures[path] = before[path] ?? signatureOf(path);
      const entry: Entry<unknown> = { schema: SCHEMA, key, files: signatures, value };
      const file = fileOf(key);
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, JSON.stringify(entry));
        renameSync(tmp, file);
      } catch {
        // A read-only or full cache folder: the next describe runs again, nothing is lost.
        rmSync(tmp, { force: true });
      }
    },
  };
}

/**
 * A file name for a key: two 32-bit FNV-1a hashes (different offsets). Not cryptographic, and
 * need not be: each entry holds its whole key and a lookup whose key differs is a miss; it
 * spares `list` loading node:crypto.
 */
function hashOf(key: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}
