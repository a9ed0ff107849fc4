/**
 * The project config (docs/config.md): `logjam ci` with no flags in a folder with a
 * logjam.config.ts runs that project's suite; flags override it; a bad config exits 2 naming
 * the key and what was expected. The config is docs/config.md's own example, copied as written.
 */

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type * as Api from '../../harness/api.js';
import { BIN, ROOT } from './helpers.js';

/** The first ```ts block of docs/config.md: the example users copy. */
function docsExample(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/config.md has no ```ts example');
  return block;
}

const dirs: string[] = [];
/** A project folder inside logjam's own (git-ignored .logjam/), so `import ... from 'logjam'` resolves to this package. */
function project(files: Record<string, string>): string {
  mkdirSync(join(ROOT, '.logjam'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.logjam', 'config-test-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logjamIn(cwd: string, args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const runsOf = (report: Api.Report): string[] => report.runs.map((r) => `${r.adapter} ${r.scenario} ${r.seed}`).sort();

describe('logjam.config.ts', () => {
  it("runs docs/config.md's example suite with `logjam ci` and no flags", () => {
    const dir = project({ 'logjam.config.ts': docsExample() });
    const cli = logjamIn(dir, ['ci']);
    expect(cli.code, cli.stderr + cli.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'logjam-report', 'report.json'), 'utf8')) as Api.Report;
    expect(runsOf(report)).toEqual(['reference graceful-exit 1', 'reference graceful-exit 2', 'reference natural-exit 1', 'reference natural-exit 2']);
    expect(report.runs.every((r) => r.status === 'pass')).toBe(true);
  }, 300_000);

  it('lets flags override the config key by key', () => {
    const dir = project({ 'logjam.config.ts': docsExample() });
    const cli = logjamIn(dir, ['ci', '--scenario', 'graceful-exit', '--seed', '7', '--out', 'elsewhere']);
    expect(cli.code, cli.stderr + cli.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'elsewhere', 'report.json'), 'utf8')) as Api.Report;
    // --seed replaces the config's seeds; the config's adapters stay.
    expect(runsOf(report)).toEqual(['reference graceful-exit 7']);
  }, 300_000);

  it('reads a JSON config named with --config', () => {
    const dir = project({ 'suite.json': JSON.stringify({ adapters: ['reference'], scenarios: ['graceful-exit'], seeds: [3], out: 'rep' }) });
    const cli = logjamIn(dir, ['ci', '--config', 'suite.json']);
    expect(cli.code, cli.stderr + cli.stdout).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'rep', 'report.json'), 'utf8')) as Api.Report;
    expect(runsOf(report)).toEqual(['reference graceful-exit 3']);
  }, 300_000);

  it('exits 2 naming each bad key and what it expected, before running anything', () => {
    const dir = project({
      'logjam.config.ts': "import { defineConfig } from 'logjam';\nexport default { jobs: 0, adapter: ['reference'], budget: 'soon', timeouts: { run: -1 } };\n",
    });
    const cli = logjamIn(dir, ['ci']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('logjam.config.ts is not a valid logjam config');
    expect(cli.stderr).toMatch(/`jobs`: .*>=1, got 0/);
    expect(cli.stderr).toMatch(/`adapter`: unknown key; expected one of adapters, scenarios/);
    expect(cli.stderr).toMatch(/`budget`: expected a duration such as 30s.*got "soon"/);
    expect(cli.stderr).toMatch(/`timeouts.run`: .*got -1/);
    expect(cli.stdout).not.toMatch(/pass|fail/);
  }, 60_000);

  it('exits 2 when the config exits at import, naming it, and the CLI itself survives to say so', () => {
    const exits = project({ 'logjam.config.mjs': 'process.exit(0);\n' });
    const r = logjamIn(exits, ['ci']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The config module logjam.config.mjs called process.exit(0) while being imported');
  }, 60_000);

  it('exits 2 when the config throws, exports nothing, or the named file is missing', () => {
    const throws = project({ 'logjam.config.mjs': "throw new Error('no database here');\n" });
    const thrown = logjamIn(throws, ['ci']);
    expect(thrown.code).toBe(2);
    expect(thrown.stderr).toContain('Could not load the config module logjam.config.mjs: no database here');
    const empty = project({ 'logjam.config.js': 'export const config = {};\n' });
    const r = logjamIn(empty, ['ci']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected logjam.config.js to export its config as default');
    const missing = logjamIn(empty, ['run', '--config', 'nope.ts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Expected `--config` to name a config file; `nope.ts` does not exist');
  }, 60_000);
});
