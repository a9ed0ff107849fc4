/**
 * The README's adapter is the one a new user copies first, so it must work as printed: the
 * fenced block is taken from README.md as is, written to a file and run through `logjam run`.
 * It is also test/fixtures/adapters/readme-adapter.ts, word for word, so `npm run typecheck`
 * and `npm run lint` hold it to the project's strict settings without a compiler run here.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logjamReport, ROOT } from './helpers.js';

/** The first ```ts block under the README's adapter heading. */
function readmeAdapter(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Your own logger: an adapter$/m)[1]?.split(/^## /m)[0];
  const block = section === undefined ? undefined : /```ts\n([^]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('README.md has no ```ts block under "## Your own logger: an adapter": the test looks for the adapter there');
  return block;
}

describe("the README's adapter", () => {
  let dir: string;
  let file: string;
  const source = readmeAdapter();

  beforeAll(() => {
    // Inside the project (in the git-ignored .logjam/), so `logjam` and `pino` resolve as they
    // do for a user who has logjam in their devDependencies.
    mkdirSync(join(ROOT, '.logjam'), { recursive: true });
    dir = mkdtempSync(join(ROOT, '.logjam', 'readme-'));
    file = join(dir, 'my-adapter.ts');
    writeFileSync(file, source);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is about twenty lines', () => {
    expect(source.trimEnd().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('is test/fixtures/adapters/readme-adapter.ts word for word, which the type checker and linter see', () => {
    expect(source).toBe(readFileSync(join(ROOT, 'test', 'fixtures', 'adapters', 'readme-adapter.ts'), 'utf8'));
  });

  it('passes steady through `logjam run`, delivering every record it was given', () => {
    const { cli, report } = logjamReport(['run', '--adapter', file, '--scenario', 'steady', '--seed', '2']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(report.runs).toHaveLength(1);
    expect(report.runs[0]).toMatchObject({ adapter: 'my-app-logger', scenario: 'steady', status: 'pass' });
    expect(report.runs[0]?.metrics.produced).toBeGreaterThan(0);
    expect(report.runs[0]?.metrics.delivered).toBe(report.runs[0]?.metrics.produced);
  });
});
