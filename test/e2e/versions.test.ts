/**
 * Any version: the bundled adapters load the logger of the project logjam runs in, and
 * `--logger-version` installs exact releases (helpers included) into a cache and runs them.
 * Both install real old releases from the registry into scratch folders.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../harness/contract/result.js';
import { BIN, scratchDir } from './helpers.js';

const PROJECT_PINS = { winston: '3.8.2', pino: '8.21.0' };
let project: string;
let cache: string;

function logjamIn(cwd: string, args: readonly string[]): { code: number | null; stdout: string; stderr: string; report?: Report } {
  const json = join(cwd, `report-${Math.random().toString(36).slice(2)}.json`);
  const withJson = args[0] === 'run' ? [...args, '--json', json] : args;
  const r = spawnSync(process.execPath, [BIN, ...withJson], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LOGJAM_CACHE_DIR: cache, LOGJAM_PROJECT: '' },
    timeout: 120_000,
  });
  const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : undefined;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ...(report !== undefined ? { report } : {}) };
}

beforeAll(() => {
  project = scratchDir();
  cache = join(scratchDir(), 'cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'an-app', private: true, dependencies: PROJECT_PINS }, null, 2));
  const npm = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 110_000,
  });
  if (npm.status !== 0) throw new Error(`npm install in the scratch project failed: ${npm.stderr}`);
}, 120_000);

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

describe("a project's own logger releases", () => {
  it('logjam list, run from the project, names the releases the project pins', () => {
    const cli = logjamIn(project, ['list', '--json']);
    expect(cli.code).toBe(0);
    const { adapters } = JSON.parse(cli.stdout) as { adapters: { name: string; versions: Record<string, string> }[] };
    expect(adapters.find((a) => a.name === 'winston-file')?.versions['winston']).toBe('3.8.2');
    expect(adapters.find((a) => a.name === 'pino-sync')?.versions['pino']).toBe('8.21.0');
    // Not pinned by the project: logjam's own dependency.
    expect(adapters.find((a) => a.name === 'bunyan-file')?.versions['bunyan']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('logjam run, from the project, tests those releases in every run process and thread, and the report names them', () => {
    const cli = logjamIn(project, ['run', '--adapter', 'winston-stream,pino-sync', '--scenario', 'steady', '--seed', '1']);
    expect(cli.code).toBe(0);
    const [winston, pino] = cli.report?.runs ?? [];
    expect(winston?.versions).toMatchObject({ winston: '3.8.2' });
    expect(pino?.versions).toMatchObject({ pino: '8.21.0' });
    expect(winston?.metrics).toMatchObject({ delivered: winston?.metrics.produced, lost: 0 });
  });
});

describe('--logger-version', () => {
  it('installs a release and a helper override into the cache, runs against them and replays with them', () => {
    const first = logjamIn(project, ['run', '--adapter', 'pino-sync', '--scenario', 'graceful-exit', '--seed', '1', '--logger-version', 'pino@8.0.0', '--logger-version', 'sonic-boom@3.0.0']);
    expect(first.stderr).toContain('installing pino@8.0.0 sonic-boom@3.0.0');
    const run = first.report?.runs[0];
    expect(run?.versions).toMatchObject({ pino: '8.0.0', 'sonic-boom': '3.0.0' });
    expect(run?.replay.command).toBe('npx logjam run --adapter pino-sync --scenario graceful-exit --seed 1 --logger-version pino@8.0.0 --logger-version sonic-boom@3.0.0');
    expect(existsSync(join(cache, 'pino@8.0.0+sonic-boom@3.0.0', '.logjam-complete'))).toBe(true);

    // The same pins, in another order: the cache folder is reused, nothing is installed again.
    const again = logjamIn(project, ['list', '--json', '--logger-version', 'sonic-boom@3.0.0', '--logger-version', 'pino@8.0.0']);
    expect(again.stderr).not.toContain('installing');
    const { adapters } = JSON.parse(again.stdout) as { adapters: { name: string; versions: Record<string, string> }[] };
    expect(adapters.find((a) => a.name === 'pino-async')?.versions).toMatchObject({ pino: '8.0.0', 'sonic-boom': '3.0.0' });
    // winston is not pinned: the project's release still loads.
    expect(adapters.find((a) => a.name === 'winston-file')?.versions['winston']).toBe('3.8.2');
  });

  it.each([
    [['pino@latest'], 'exact version'],
    [['pino@8.0.0', 'pino@8.1.0'], 'one version of pino'],
    [['left-pad@1.3.0'], 'come with the logger that uses it'],
  ])('says what it expected for --logger-version %j', (pins, message) => {
    const cli = logjamIn(project, ['list', ...pins.flatMap((p) => ['--logger-version', p])]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(message);
  });
});
