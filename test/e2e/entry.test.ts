/**
 * What a user's adapter pays for `import { defineAdapter } from 'logjam'`: every producer thread
 * of every run imports it. The root entry must load the contract, the locks and logjam's sink,
 * and nothing of the CLI, the catalogue, the bundled loggers or fast-check.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, scratchDir } from './helpers.js';

function modulesLoadedBy(entry: string): string[] {
  const dir = scratchDir();
  try {
    const file = join(dir, 'loads.txt');
    const r = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(join(FIXTURES, 'loader', 'register.mjs')).href, '--input-type=module', '-e', `await import(${JSON.stringify(entry)});`],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LOGJAM_LOADS_FILE: file }, timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const root = pathToFileURL(ROOT).href;
    return [...new Set(readFileSync(file, 'utf8').trim().split('\n'))]
      .filter((url) => url.startsWith(root))
      .map((url) => url.slice(root.length + 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the entry points', () => {
  it('loads only the contract, the locks and the sink for `import ... from "logjam"`', () => {
    const loaded = modulesLoadedBy('logjam');
    const harness = loaded.filter((m) => m.startsWith('dist/harness/'));
    const folders = new Set(harness.map((m) => m.split('/').slice(0, 3).join('/')));
    expect([...folders].sort()).toEqual(
      ['dist/harness/contract', 'dist/harness/index.js', 'dist/harness/ledger', 'dist/harness/sinks', 'dist/harness/sync', 'dist/harness/util'].sort(),
    );
    expect(loaded.filter((m) => m.includes('node_modules/'))).toEqual([]);
    expect(harness.filter((m) => /\/(cli|run|child|watchdog)\//.test(m))).toEqual([]);
    // Recorded for the README's figure; the list itself is what the test holds.
    expect(harness.length).toBeLessThanOrEqual(16);
  });

  it('keeps the programmatic API and the CLI behind `logjam/api`', () => {
    const loaded = modulesLoadedBy('logjam/api');
    expect(loaded.some((m) => m.startsWith('dist/harness/run/'))).toBe(true);
  });
});
