/**
 * Output paths are checked, and created, before the first run: a suite's results are never
 * thrown away because a folder was missing or a name was taken. A write that still fails
 * afterwards (a full disk, a folder removed meanwhile) keeps the results in a fallback file it
 * names, or on stdout, and never changes the suite's exit code.
 *
 * Only regular files and folders are written: a FIFO would block the opener until a reader
 * comes, and /proc, /sys and /dev files are not storage, so no path can hang the supervisor.
 */

import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../contract/errors.js';

const NOT_STORAGE = ['/proc', '/sys', '/dev'];

/** Checks (and creates) a folder logjam will write into; answers its absolute path. */
export function prepareOutDir(dir: string, flag: string): string {
  if (dir.trim() === '') throw new UsageError(`Expected \`${flag}\` to name a folder, got an empty string`);
  const path = resolve(dir);
  refuseNonStorage(path, flag);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new UsageError(`Expected \`${flag} ${dir}\` to be a folder, but ${path} is ${kindOf(path)}; name a folder, or remove it`);
  }
  try {
    mkdirSync(path, { recursive: true });
    // Creating a folder may succeed where writing in it does not (read-only mounts, modes).
    const probe = join(path, `.logjam-probe-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error: unknown) {
    throw new UsageError(`Expected \`${flag} ${dir}\` to be a folder logjam can write in, but ${reasonOf(error)}; choose another folder`);
  }
  return path;
}

/** Checks a file logjam will write (creating its folder); answers its absolute path. */
export function prepareOutFile(file: string, flag: string): string {
  if (file.trim() === '') throw new UsageError(`Expected \`${flag}\` to name a file, got an empty string`);
  const path = resolve(file);
  refuseNonStorage(path, flag);
  if (existsSync(path)) {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`Expected \`${flag} ${file}\` to be a regular file, but ${path} is ${kindOf(path)}; name a file`);
    try {
      accessSync(path, constants.W_OK);
    } catch (error: unknown) {
      throw new UsageError(`Expected \`${flag} ${file}\` to be a file logjam can write, but ${reasonOf(error)}`);
    }
    return path;
  }
  prepareOutDir(dirname(path), flag);
  return path;
}

/**
 * Writes `content` to `path`; if that fails, to a fallback file in the temp folder, and if that
 * fails too, to `fallbackOut` (stdout). Answers where it went; `say` tells the user about a detour.
 */
export function writeOrKeep(path: string, content: string, say: (line: string) => void, fallbackOut: (text: string) => void): string {
  try {
    writeFileSync(path, content);
    return path;
  } catch (error: unknown) {
    const fallback = join(tmpdir(), `logjam-${process.pid}-${Date.now()}-${basename(path)}`);
    try {
      writeFileSync(fallback, content);
      say(`logjam: could not write ${path} (${reasonOf(error)}); wrote it to ${fallback} instead\n`);
      return fallback;
    } catch {
      say(`logjam: could not write ${path} (${reasonOf(error)}) nor a fallback in ${tmpdir()}; here it is on stdout:\n`);
      fallbackOut(content.endsWith('\n') ? content : `${content}\n`);
      return '-';
    }
  }
}

/** Refuses paths that are not storage, following symbolic links from the nearest existing ancestor. */
function refuseNonStorage(path: string, flag: string): void {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let real = existing;
  try {
    real = realpathSync(existing);
  } catch {
    // Unreadable ancestor: the write check says why.
  }
  const full = join(real, path.slice(existing.length));
  for (const root of NOT_STORAGE) {
    if (full === root || full.startsWith(`${root}/`) || path === root || path.startsWith(`${root}/`)) {
      throw new UsageError(`Expected \`${flag}\` to be a path on a file system, got ${path}${full !== path ? ` (${full})` : ''}: ${root} holds no files logjam can write; choose a path such as ./logjam-report`);
    }
  }
  if (existsSync(path) && existsSync(full)) {
    const stat = statSync(full);
    if (stat.isFIFO() || stat.isSocket() || stat.isCharacterDevice() || stat.isBlockDevice()) {
      throw new UsageError(`Expected \`${flag}\` to be a regular file or folder, but ${path} is ${kindOf(full)}: writing to it can block for ever`);
    }
  }
}

function kindOf(path: string): string {
  const s = statSync(path);
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'a file';
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code !== undefined ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(error);
}
