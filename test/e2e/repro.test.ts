/**
 * The standalone reproductions in repro/: each uses the logger alone (no logjam) and must show
 * its symptom against the logger releases this project installs; `logjam findings` names and
 * copies the ones that match a report's failing runs.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Repro from '../../harness/cli/repro.js';
import { logjam, ROOT } from './helpers.js';

const { REPRODUCTIONS } = (await import(join(ROOT, 'dist', 'harness', 'cli', 'repro.js'))) as typeof Repro;

describe('standalone reproductions', () => {
  // One script may reproduce a finding in several scenarios: each runs once.
  for (const r of new Map(REPRODUCTIONS.map((x) => [x.script, x])).values()) {
    it(`${r.script} shows its symptom with the logger alone (${r.upstream})`, () => {
      // pino-tcp.steady.cjs sends 60 MB over loopback: about 2 s quiet, 10 s at load 14.
      const run = spawnSync(process.execPath, [join(ROOT, 'repro', r.script)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toMatch(/^SYMPTOM: /m);
      // The script imports nothing of logjam: it can be pasted into an upstream issue.
      expect(readFileSync(join(ROOT, 'repro', r.script), 'utf8')).not.toMatch(/logjam['/]|harness\//);
    }, 90_000);
  }

  it('are named in the findings report and copied beside it for the findings they match', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logjam-repro-'));
    const report = join(dir, 'report.json');
    const finding = { kind: 'exit-loss', severity: 'error', message: '10 of 60 records were lost at exit', evidence: {} };
    const metrics = { produced: 60, delivered: 50, droppedReported: 0, lost: 10, duplicated: 0, reordered: 0, torn: 0, wallMs: 1 };
    const run = (adapter: string, status: string, findings: unknown[], versions: Record<string, string> = {}) => ({
      adapter,
      versions,
      scenario: 'exit-listener',
      seed: 1,
      status,
      findings,
      metrics,
      replay: { command: `npx logjam run --adapter ${adapter} --scenario exit-listener --seed 1`, adapter, scenario: 'exit-listener', seed: 1 },
    });
    writeFileSync(
      report,
      JSON.stringify({
        schema: 'logjam.report/1',
        // The environment and summary as `logjam run --json` writes them: findings checks the schema.
        environment: {
          node: process.version,
          platform: process.platform,
          arch: process.arch,
          cpus: 2,
          cpuModel: 'test',
          totalMemoryMb: 1024,
          logjam: '0.1.0',
          command: 'logjam run',
        },
        startedAt: new Date(0).toISOString(),
        durationMs: 1,
        summary: { pass: 1, fail: 1, skip: 0, error: 0 },
        // A finding reported as information is not listed in FINDINGS.md, so it names no script.
        runs: [
          run('pino-transport', 'fail', [finding], { pino: '10.4.0' }),
          run('pino-async', 'pass', [{ ...finding, severity: 'info' }], { pino: '10.4.0' }),
          // A real logger's finding with no script is named on stderr, so the gap is seen.
          run('bunyan-file', 'fail', [finding], { bunyan: '2.0.5' }),
        ],
      }),
    );
    const out = join(dir, 'scripts');
    const cli = logjam(['findings', report, '--repro-dir', out]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('## Standalone reproductions');
    expect(cli.stdout).toContain(`| \`node ${out}/pino-transport.exit-listener.cjs\` |`);
    // Named beside the finding too, not only in the closing table.
    expect(cli.stdout).toContain(`  - Standalone (the logger alone, no logjam): \`node ${out}/pino-transport.exit-listener.cjs\``);
    expect(cli.stdout).not.toContain('pino-async.exit-listener.cjs');
    expect(cli.stderr).toContain('1 finding(s) on real loggers have no standalone script yet');
    expect(cli.stderr).toContain('bunyan-file × exit-listener: exit-loss\n');
    expect(existsSync(join(out, 'pino-transport.exit-listener.cjs'))).toBe(true);
    expect(existsSync(join(out, 'pino-async.exit-listener.cjs'))).toBe(false);
  });
});
