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

/** `python3` when it is on PATH and 3.8 or newer (the Python scripts need it), else why not. */
function findPython(): { command: string } | { missing: string } {
  const probe = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error !== undefined || probe.status !== 0) return { missing: `no python3 on PATH (${probe.error?.message ?? probe.stderr.trim()})` };
  const [major = 0, minor = 0] = probe.stdout.trim().split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 8)) return { missing: `python3 is ${probe.stdout.trim()}, the Python reproductions need 3.8 or newer` };
  return { command: 'python3' };
}
const python = findPython();

describe('standalone reproductions', () => {
  // One script may reproduce a finding in several scenarios: each runs once.
  for (const r of new Map(REPRODUCTIONS.map((x) => [x.script, x])).values()) {
    // A `.py` script uses Python's logging alone: it runs with python3 (CI has it).
    const isPython = r.script.endsWith('.py');
    const skip = isPython && 'missing' in python ? python.missing : undefined;
    it.skipIf(skip !== undefined)(`${r.script} shows its symptom with the logger alone (${r.upstream})${skip !== undefined ? ` [skipped: ${skip}]` : ''}`, () => {
      const interpreter = isPython && 'command' in python ? python.command : process.execPath;
      // pino-tcp.steady.cjs sends 60 MB over loopback: about 2 s quiet, 10 s at load 14.
      const run = spawnSync(interpreter, [join(ROOT, 'repro', r.script)], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
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
