/**
 * A user's own scenario runs by path like an adapter does (`--scenario ./my-scenario.ts`): in
 * `run`, `ci`, `stress` and `replay`, with the path kept in replay commands and files.
 */

import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logjam, scratchDir } from './helpers.js';

const SCENARIO = './test/fixtures/scenarios/my-scenario.ts';
const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each command reads the user's scenario in a describe child first (issue 16), then runs: several
// commands in a row outgrow the default 60 s test timeout on a loaded 2-core machine. The timeout
// is the test's safety net, not an assertion about speed.
describe('a user scenario given by path', () => {
  it('runs in `logjam run`, passes a correct logger and fails a lossy one with a replay file naming the path', () => {
    const replays = join(dir, 'replays');
    const cli = logjam(['run', '--adapter', 'reference,reference-bug-silent-drop', '--scenario', SCENARIO, '--seed', '1', '--replay-dir', replays]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/pass\s+reference × my-scenario seed 1/);
    expect(cli.stdout).toMatch(/fail\s+reference-bug-silent-drop × my-scenario seed 1/);
    expect(cli.stdout).toContain(`--scenario ${SCENARIO} --seed 1`);
    const file = join(replays, readdirSync(replays)[0] ?? '');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { scenario: string }).scenario).toBe(SCENARIO);

    const replay = logjam(['replay', file]);
    expect(replay.stdout + replay.stderr).toMatch(/reproduced|came back/i);
    expect(replay.code).toBe(1);
  }, 180_000);

  it('runs in `logjam ci` and `logjam stress`', () => {
    const out = join(dir, 'ci');
    const ci = logjam(['ci', '--adapter', 'reference', '--scenario', SCENARIO, '--out', out]);
    expect(ci.code, ci.stdout + ci.stderr).toBe(0);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { runs: { scenario: string; status: string }[] };
    expect(report.runs.map((r) => [r.scenario, r.status])).toEqual([['my-scenario', 'pass']]);

    const stress = logjam(['stress', '--adapter', 'reference', '--scenario', SCENARIO, '--iterations', '1', '--out', join(dir, 'stress')]);
    expect(stress.code, stress.stdout + stress.stderr).toBe(0);
    expect(stress.stdout).toMatch(/1 iteration\(s\), 1 runs in .*, 0 failing/);
  }, 180_000);

  it('says what a module that is not a scenario lacks, and exits 2', () => {
    const cli = logjam(['run', '--adapter', 'reference', '--scenario', './test/fixtures/adapters/naive-json.ts', '--seed', '1']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('is not valid. Expected');
    expect(cli.stderr).toContain('`run` to be a function');
  });
});

describe('a user adapter with a misspelt capability', () => {
  it('exits 2 naming the key, a guess and the valid keys', () => {
    const cli = logjam(['run', '--adapter', './test/fixtures/adapters/typo-capability.ts', '--scenario', 'steady', '--seed', '1']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('no `capabilities.harnesSink` (did you mean `harnessSink`?): the valid keys are threads, format');
  });
});
