import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logjam, logjamReport, ROOT } from './helpers.js';

describe('the logjam command', () => {
  it('lists the bundled adapters, with the versions they load, and the scenarios as JSON', () => {
    const r = logjam(['list', '--json']);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { adapters: { name: string; versions: Record<string, string> }[]; scenarios: { name: string; description: string }[] };
    const names = listed.adapters.map((a) => a.name);
    expect(names.slice(0, 3)).toEqual(['pino-sync', 'pino-async', 'pino-transport']);
    expect(names).toContain('reference-bug-three-lock');
    expect(listed.adapters[0]?.versions['pino']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(listed.scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining(['steady', 'exit-after-logging', 'graceful-exit', 'lock-inversion', 'reconfigure-under-load', 'torn-lines', 'hostile-input', 'crash-mid-write', 'tcp-collector', 'async-interleavings', 'slow-sink', 'blocking-sink', 'stalled-sink', 'failing-sink', 'reentrant-sink', 'burst-overflow', 'context-propagation']),
    );
    for (const s of listed.scenarios) expect(s.description.length).toBeGreaterThan(20);
  });

  it('exits 2 on an unknown adapter and names the valid ones', () => {
    const r = logjam(['run', '--adapter', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown adapter `nope`. Expected one of: pino-sync, pino-async, pino-transport');
  });

  it('exits 2 on an unknown scenario and names the valid ones', () => {
    const r = logjam(['run', '--scenario', 'stedy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown scenario `stedy`. Expected one of: steady, exit-after-logging, graceful-exit');
  });

  it.each([
    [['run', '--runs', 'abc'], 'Expected `--runs` to be an integer from 1 to 100000, got `abc`'],
    [['run', '--timeout', 'soon'], 'Expected `--timeout` to be a duration such as 30s, 1500ms or 2m, got `soon`'],
    [['run', '--seed', '-1'], "Option '--seed"],
    [['run', '--reporter', 'xml'], 'Expected `--reporter` to be one of terminal, json'],
    [['run', '--frobnicate'], "Unknown option '--frobnicate'. Run `logjam run --help` for the options."],
    [['run', '--adapter', './missing-adapter.ts'], 'missing-adapter.ts does not exist'],
    [['frobnicate'], 'Unknown command `frobnicate`. Expected one of: list, run'],
  ])('exits 2 with a message saying what was expected for %j', (args, message) => {
    const r = logjam(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('explains every option of run under --help', () => {
    const r = logjam(['run', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--adapter', '--scenario', '--seed', '--runs', '--timeout', '--reporter', '--json']) expect(r.stdout).toContain(flag);
  });

  it('prints the result model on stdout with --reporter json', () => {
    const r = logjam(['run', '--adapter', 'pino-sync', '--scenario', 'graceful-exit', '--seed', '5', '--reporter', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { schema: string; runs: { status: string }[] };
    expect(report.schema).toBe('logjam.report/1');
    expect(report.runs.map((run) => run.status)).toEqual(['pass']);
  });

  it('runs a user adapter written in TypeScript, loaded by path: the adapters page example', () => {
    const { cli, report } = logjamReport(['run', '--adapter', './test/fixtures/adapters/my-adapter.ts', '--scenario', 'steady', '--seed', '2']);
    expect(cli.code).toBe(0);
    expect(report.runs[0]).toMatchObject({ adapter: 'my-app-logger', status: 'pass', versions: { pino: expect.any(String) as string } });
    expect(report.runs[0]?.metrics.delivered).toBe(report.runs[0]?.metrics.produced);
    // docs/adapters.md shows this very file (the README's shorter one is run by readme.test.ts).
    const page = readFileSync(join(ROOT, 'docs', 'adapters.md'), 'utf8');
    const example = readFileSync(join(ROOT, 'test', 'fixtures', 'adapters', 'my-adapter.ts'), 'utf8');
    expect(page).toContain(example.trim());
  });

  it('skips a scenario that does not apply, with the reason; a suite where nothing ran exits 2, not 0', () => {
    const { cli, report } = logjamReport(['run', '--adapter', './test/fixtures/adapters/no-shutdown.ts', '--scenario', 'graceful-exit', '--seed', '1']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('no run executed');
    expect(report.runs[0]).toMatchObject({ status: 'skip', reason: expect.stringContaining('no documented shutdown') as string });
  });
});
