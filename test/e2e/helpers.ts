/**
 * Tests drive the built harness (dist/), as users do: runs start real child processes and
 * worker threads, which load compiled modules. Types come from the sources.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as Api from '../../harness/api.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'logjam.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

export const api = (await import(join(ROOT, 'dist', 'harness', 'api.js'))) as typeof Api;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the logjam command as a user would, with no colour and a hard timeout of its own. */
export function logjam(args: readonly string[], timeoutMs = 60_000, env: Readonly<Record<string, string>> = {}): CliResult {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: timeoutMs,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/** Runs logjam with `--json` into a scratch file and returns the report. */
export function logjamReport(args: readonly string[], timeoutMs?: number): { cli: CliResult; report: Api.Report } {
  const dir = mkdtempSync(join(tmpdir(), 'logjam-test-'));
  try {
    const file = join(dir, 'report.json');
    const cli = logjam([...args, '--json', file], timeoutMs);
    const report = JSON.parse(readFileSync(file, 'utf8')) as Api.Report;
    return { cli, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'logjam-test-'));
}
