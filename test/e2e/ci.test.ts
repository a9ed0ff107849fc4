/**
 * `logjam ci` and `logjam merge-reports` as a CI system runs them: real runs in child processes,
 * report files read back, JUnit XML through a real parser.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../harness/index.js';
import type * as Junit from '../../reports/junit.js';
import type * as Markdown from '../../reports/markdown.js';
import type * as Ci from '../../harness/cli/commands/ci.js';
import { logjam, ROOT, scratchDir } from './helpers.js';

const { junitXml } = (await import(join(ROOT, 'dist', 'reports', 'junit.js'))) as typeof Junit;
const { markdownSummary } = (await import(join(ROOT, 'dist', 'reports', 'markdown.js'))) as typeof Markdown;
const { suiteFingerprint } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'commands', 'ci.js'))) as typeof Ci;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function outDir(): string {
  const d = scratchDir();
  dirs.push(d);
  return d;
}
const readReport = (dir: string): Report => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;

interface TestCase {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_type': string; '@_message': string; '#text': string }[];
  skipped?: { '@_message': string }[];
  error?: unknown[];
}
const parser = new XMLParser({ ignoreAttributes: false, htmlEntities: true, attributeNamePrefix: '@_', isArray: (name) => ['testsuite', 'testcase', 'failure', 'skipped', 'error'].includes(name) });
function testcases(xml: string): TestCase[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as { testsuites: { testsuite: { testcase: TestCase[] }[] } };
  return doc.testsuites.testsuite.flatMap((s) => s.testcase);
}
const key = (r: { adapter: string; scenario: string; seed: number }): string => `${r.adapter} ${r.scenario} ${r.seed}`;
/** What failed in a report folder, for an assertion's message: which runs, and their findings. */
function failures(dir: string): string {
  if (!existsSync(join(dir, 'report.json'))) return `no report.json in ${dir}`;
  return readReport(dir)
    .runs.filter((run) => run.status !== 'pass' && run.status !== 'skip')
    .map((run) => `${key(run)} ${run.status}: ${run.findings.map((f) => `${f.kind} (${f.severity}) ${f.message} ${JSON.stringify(f.evidence).slice(0, 400)}`).join('; ')}`)
    .join('\n');
}

describe('logjam ci', () => {
  it('exits 0 over passing adapters and writes JUnit XML, the JSON model and a Markdown summary', () => {
    const out = outDir();
    const r = logjam(['ci', '--adapter', 'pino-sync,reference', '--scenario', 'graceful-exit,lock-inversion', '--runs', '2', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code, failures(out)).toBe(0);
    const report = readReport(out);
    // Diagonal order, seed by seed: a budget that ends early has covered every scenario and adapter.
    expect(report.runs.map(key)).toEqual([
      'pino-sync graceful-exit 1',
      'reference lock-inversion 1',
      'reference graceful-exit 1',
      'pino-sync lock-inversion 1',
      'pino-sync graceful-exit 2',
      'reference lock-inversion 2',
      'reference graceful-exit 2',
      'pino-sync lock-inversion 2',
    ]);
    expect(report.runs.map((run) => run.status)).toEqual(['pass', 'pass', 'pass', 'skip', 'pass', 'pass', 'pass', 'skip']);
    const cases = testcases(readFileSync(join(out, 'junit.xml'), 'utf8'));
    // One testcase per run; JUnit groups them by adapter.
    expect(cases.map((c) => `${c['@_classname']} ${c['@_name']}`).sort()).toEqual(report.runs.map((run) => `${run.adapter} ${run.scenario} seed ${run.seed}`).sort());
    expect(cases.find((c) => c['@_classname'] === 'pino-sync' && c['@_name'] === 'lock-inversion seed 1')?.skipped?.[0]?.['@_message']).toContain('createSink');
    expect(cases.filter((c) => c.failure !== undefined)).toEqual([]);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('## logjam ci: all runs passed');
    expect(summary).toContain('| reference | lock-inversion | 2 | ✅ pass |');
  });

  it('exits 1 on a seeded deadlock, with the finding, its evidence and the replay command in JUnit and on GitHub', () => {
    const out = outDir();
    const stepSummary = join(out, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    const r = logjam(['ci', '--adapter', 'reference-bug-abba', '--scenario', 'lock-inversion', '--runs', '1', '--out', out], 60_000, {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: stepSummary,
    });
    expect(r.code).toBe(1);
    const [testcase] = testcases(readFileSync(join(out, 'junit.xml'), 'utf8'));
    const failure = testcase?.failure?.find((f) => f['@_type'] === 'lock-order-cycle');
    expect(failure?.['@_message']).toMatch(/^lock-order-cycle: Lock order cycle: .*reference\.registry/);
    expect(failure?.['#text']).toContain('"signature": "lock-order:');
    // A replay file per failing run beside the report, named by the failure's replay command.
    const artefact = join(out, 'replays', 'reference-bug-abba.lock-inversion.1.replay.json');
    expect(existsSync(artefact)).toBe(true);
    expect(failure?.['#text']).toContain(`replay: npx logjam replay ${artefact}`);
    // Annotations: one line each, the title's `:` and `,` and the message's newline encoded.
    const annotation = r.stdout.split('\n').find((l) => l.startsWith('::error title=logjam%3A lock-order-cycle in reference-bug-abba × lock-inversion seed 1::'));
    expect(annotation).toContain(`%0Areplay: npx logjam replay ${artefact}`);
    const appended = readFileSync(stepSummary, 'utf8');
    expect(appended.startsWith('# earlier step\n## logjam ci: findings failed a run')).toBe(true);
    expect(appended).toContain('**lock-order-cycle** (error)');
  });

  it('reports the runs a used-up budget left out as skipped, with the reason, and does not pass a gate that ran nothing', () => {
    const out = outDir();
    const r = logjam(['ci', '--adapter', 'pino-sync', '--scenario', 'graceful-exit', '--runs', '2', '--budget', '1ms', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no run executed: all 2 planned runs were skipped');
    const report = readReport(out);
    expect(report.runs.map((run) => [run.status, run.reason])).toEqual([
      ['skip', 'not run: the 0.0 s budget was used up; raise --budget or split the suite with --shard'],
      ['skip', 'not run: the 0.0 s budget was used up; raise --budget or split the suite with --shard'],
    ]);
    expect(testcases(readFileSync(join(out, 'junit.xml'), 'utf8')).map((c) => c.skipped?.length)).toEqual([1, 1]);
  });

  it('splits the planned runs across shards that cover each run exactly once, and merges them into the unsharded report', () => {
    const args = ['ci', '--adapter', 'pino-sync,reference', '--scenario', 'graceful-exit,lock-inversion', '--seed', '7', '--runs', '2'];
    const [all, one, two, merged] = [outDir(), outDir(), outDir(), outDir()];
    expect(logjam([...args, '--out', all]).code, failures(all)).toBe(0);
    expect(logjam([...args, '--shard', '1/2', '--out', one]).code, failures(one)).toBe(0);
    expect(logjam([...args, '--shard', '2/2', '--out', two]).code, failures(two)).toBe(0);
    const [whole, first, second] = [readReport(all), readReport(one), readReport(two)];
    expect(first.shard).toEqual({ index: 1, count: 2, planned: 8 });
    expect(first.runs).toHaveLength(4);
    expect(second.runs).toHaveLength(4);
    expect([...first.runs, ...second.runs].map(key).sort()).toEqual(whole.runs.map(key).sort());

    const m = logjam(['merge-reports', two, one, '--out', merged]);
    expect(m.code).toBe(0);
    const report = readReport(merged);
    const view = (rep: Report): unknown[] => rep.runs.map((run) => ({ key: key(run), status: run.status, params: run.params, replay: run.replay.command }));
    expect(view(report)).toEqual(view(whole));
    expect(report.summary).toEqual(whole.summary);
    expect(existsSync(join(merged, 'junit.xml'))).toBe(true);
    expect(testcases(readFileSync(join(merged, 'junit.xml'), 'utf8'))).toHaveLength(8);

    const missing = logjam(['merge-reports', one, '--out', outDir()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Expected all 2 shards, missing 2/2');

    // A shard run with --node is another suite: the fingerprint carries the Node release.
    const otherNode = outDir();
    const shard = JSON.parse(readFileSync(join(two, 'report.json'), 'utf8')) as Report & { suite: Record<string, unknown> };
    const { fingerprint: _unused, ...fields } = shard.suite;
    const fingerprint = suiteFingerprint(whole.suite?.adapters ?? [], whole.suite?.scenarios ?? [], whole.suite?.seeds ?? [], whole.suite?.runs ?? 0, whole.suite?.logjam ?? '', '22.12.0');
    expect(fingerprint.fingerprint).not.toBe(whole.suite?.fingerprint);
    expect(fingerprint).toMatchObject({ ...fields, node: '22.12.0' });
    writeFileSync(join(otherNode, 'report.json'), JSON.stringify({ ...shard, suite: fingerprint }));
    const mixed = logjam(['merge-reports', one, otherNode, '--out', outDir()]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`node "22.12.0" where the first shard has the supervisor's Node (no --node)`);
    // Three suites of 8, 4 and 4 runs in a row: past 60 s at a load of 28 on 2 cores. A safety
    // net, not a speed assertion.
  }, 240_000);

  it.each([
    [['ci', '--shard', '3/2'], 'Expected `--shard` to be I/N with 1 <= I <= N, such as 1/4, got `3/2`'],
    [['ci', '--budget', 'soon'], 'Expected `--budget` to be a duration such as 30s'],
    [['ci', 'extra'], "Unexpected argument 'extra'. This command does not take positional arguments. Run `logjam ci --help` for the options."],
    [['merge-reports'], 'Expected one or more report folders'],
    [['merge-reports', './no-such-report'], 'Expected a report folder or report.json at `./no-such-report`'],
  ])('exits 2 with a message saying what was expected for %j', (args, message) => {
    const r = logjam(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('the JUnit and Markdown views', () => {
  const hostile = 'a <script>alert(1)</script> & "quotes" \'apos\' ]]> \u0000\u001b[31m\u0007 bell \uD800 lone | pipe `tick`\r\nnext';
  const report: Report = {
    schema: 'logjam.report/1',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', totalMemoryMb: 1, logjam: '0.1.0', command: 'logjam ci' },
    runs: [
      {
        adapter: 'a<b',
        scenario: 'steady',
        seed: 3,
        status: 'fail',
        findings: [{ kind: 'torn-records', severity: 'error', message: hostile, evidence: { line: hostile } }],
        metrics: { produced: 2, delivered: 1, droppedReported: 0, lost: 0, duplicated: 0, reordered: 0, torn: 1, wallMs: 10 },
        replay: { command: 'npx logjam run --adapter a --scenario steady --seed 3', adapter: 'a', scenario: 'steady', seed: 3 },
      },
      {
        adapter: 'a<b',
        scenario: 'steady',
        seed: 4,
        status: 'error',
        reason: hostile,
        findings: [],
        metrics: { produced: 0, delivered: 0, droppedReported: 0, lost: 0, duplicated: 0, reordered: 0, torn: 0, wallMs: 10 },
        replay: { command: 'npx logjam run --adapter a --scenario steady --seed 4', adapter: 'a', scenario: 'steady', seed: 4 },
      },
    ],
    summary: { pass: 0, fail: 1, skip: 0, error: 1 },
  };

  it('escapes markup, quotes and control characters so any parser accepts the XML and reads the text back', () => {
    const [failed, errored] = testcases(junitXml(report));
    expect(failed?.['@_classname']).toBe('a<b');
    const readable = 'a <script>alert(1)</script> & "quotes" \'apos\' ]]> \\u0000\\u001b[31m\\u0007 bell \\ud800 lone | pipe `tick`\r\nnext';
    expect(failed?.failure?.[0]?.['@_message']).toBe(`torn-records: ${readable}`);
    expect(failed?.failure?.[0]?.['#text']).toContain('replay: npx logjam run --adapter a --scenario steady --seed 3');
    expect(errored?.error).toHaveLength(1);
  });

  it('keeps log content out of the Markdown table syntax and HTML', () => {
    const md = markdownSummary(report);
    // Evidence sits in fenced blocks, which Markdown shows as text; nothing outside them is raw.
    expect(md.replace(/^( *)(`{3,})json\n[\s\S]*?\n\1\2$/gm, '')).not.toContain('<script>');
    expect(md).toContain('```json');
    expect(md).toContain('| a&lt;b | steady | 3 | ❌ fail |');
    expect(md).toContain('a &lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes"');
    expect(md).toContain('\\| pipe');
  });
});
