/**
 * `logjam list` through the describe cache (issue 17: `list` within 2x `node -e 0`): a second
 * listing with nothing changed starts no Python interpreter and says exactly what the first
 * said, and a change to what it was made from (a logger release appearing in the project) is
 * seen at once. Speed itself is `npm run bench`'s, never asserted here.
 */

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, scratchDir } from './helpers.js';

let project: string;
let cache: string;
let starts: string;
let python: string;

interface Listing {
  readonly adapters: readonly { name: string; versions: Record<string, string> }[];
  readonly pythonAdapters: readonly { name: string; description: string }[];
}

function list(env: Readonly<Record<string, string>> = {}): Listing {
  const r = spawnSync(process.execPath, [BIN, 'list', '--json'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LOGJAM_CACHE_DIR: cache, LOGJAM_PROJECT: '', LOGJAM_PYTHON: python, ...env },
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Listing;
}

const pythonStarts = (): number => readFileSync(starts, 'utf8').split('\n').filter((l) => l !== '').length;

beforeAll(() => {
  project = scratchDir();
  cache = join(scratchDir(), 'cache');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'an-app', private: true }));
  // An interpreter that counts its starts, then runs the real one.
  const bin = scratchDir();
  starts = join(bin, 'starts');
  writeFileSync(starts, '');
  python = join(bin, 'counting-python3');
  writeFileSync(python, `#!/bin/sh\necho x >> '${starts}'\nexec python3 "$@"\n`);
  chmodSync(python, 0o755);
});

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

describe('logjam list and the describe cache', () => {
  it('lists from the cache the second time, without starting Python, and says the same as without a cache', () => {
    const first = list();
    expect(pythonStarts()).toBe(1);
    expect(readdirSync(join(cache, 'describe')).length).toBeGreaterThanOrEqual(2);
    const second = list();
    expect(pythonStarts()).toBe(1);
    expect(second).toEqual(first);
    expect(list({ LOGJAM_NO_CACHE: '1' })).toEqual(first);
    expect(pythonStarts()).toBe(2);
    expect(first.pythonAdapters.find((a) => a.name === 'python-queue')?.description).toMatch(/QueueHandler/);
  });

  it('lists as before from a cache whose entries were damaged (a miss, never a crash)', () => {
    const good = list();
    const folder = join(cache, 'describe');
    for (const name of readdirSync(folder)) {
      const entry = JSON.parse(readFileSync(join(folder, name), 'utf8')) as { value: unknown };
      writeFileSync(join(folder, name), JSON.stringify({ ...entry, value: { adapters: 5, python: null } }));
    }
    expect(list()).toEqual(good);
  });

  it('sees a logger release that appears in the project after the listing was cached', () => {
    const before = list();
    expect(before.adapters.find((a) => a.name === 'pino-sync')?.versions['pino']).not.toBe('1.2.3');
    // Only its package.json is read: list names versions without loading the logger.
    mkdirSync(join(project, 'node_modules', 'pino'), { recursive: true });
    writeFileSync(join(project, 'node_modules', 'pino', 'package.json'), JSON.stringify({ name: 'pino', version: '1.2.3' }));
    const after = list();
    expect(after.adapters.find((a) => a.name === 'pino-sync')?.versions['pino']).toBe('1.2.3');
    expect(after.adapters.find((a) => a.name === 'winston-file')?.versions).toEqual(before.adapters.find((a) => a.name === 'winston-file')?.versions);
  });
});
