/**
 * Replay commands and files name everything a run depends on: for a Python adapter, the
 * interpreter it ran with (another interpreter may have other loggers installed, or none).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report, RunResult } from '../../harness/contract/result.js';
import { findingsMarkdown } from '../../reports/findings.js';
import { readReplayArtefact, writeReplayArtefact } from '../../harness/run/replay.js';
import { pythonFor, replayFor } from '../../harness/run/supervisor.js';
import { PYTHON_ENV } from '../../harness/util/python.js';

const PY = { ref: 'python-bug-abba', url: 'file:///opt/logjam/python/adapters/bugs/abba.py' };
const JS = { ref: 'pino-sync', url: 'file:///opt/logjam/dist/adapters/pino-sync.js' };

describe('replay of a Python run', () => {
  let saved: string | undefined;
  let dir: string;
  beforeEach(() => {
    saved = process.env[PYTHON_ENV];
    dir = mkdtempSync(join(tmpdir(), 'logjam-replay-unit-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[PYTHON_ENV];
    else process.env[PYTHON_ENV] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the interpreter in the run command of a Python adapter, and only of a Python adapter', () => {
    process.env[PYTHON_ENV] = '/usr/bin/python3';
    expect(replayFor(PY, 'lock-inversion', 7).command).toBe('npx logjam run --adapter python-bug-abba --scenario lock-inversion --seed 7 --python /usr/bin/python3');
    expect(replayFor(JS, 'steady', 7).command).toBe('npx logjam run --adapter pino-sync --scenario steady --seed 7');
    expect(pythonFor(JS)).toBeUndefined();
  });

  it('leaves the default (python3 on PATH) implied, and quotes an interpreter path a shell would split', () => {
    delete process.env[PYTHON_ENV];
    expect(replayFor(PY, 'steady', 1).command).not.toContain('--python');
    process.env[PYTHON_ENV] = "/opt/my python/it's/python3";
    expect(replayFor(PY, 'steady', 1, '0:1').command).toBe(`npx logjam run --adapter python-bug-abba --scenario steady --seed 1 --path 0:1 --python '/opt/my python/it'\\''s/python3'`);
  });

  it('writes the interpreter into the replay file and reads it back; a malformed one is refused with what was expected', () => {
    const run = {
      adapter: 'python-bug-abba',
      scenario: 'lock-inversion',
      seed: 3,
      params: { threads: 3 },
      status: 'fail',
      findings: [{ kind: 'lock-order-cycle', severity: 'error', message: 'cycle', evidence: {} }],
      metrics: {},
      replay: replayFor(PY, 'lock-inversion', 3),
    } as unknown as RunResult;
    const file = writeReplayArtefact(run, dir, { python: '/usr/bin/python3' });
    expect(readReplayArtefact(file).python).toBe('/usr/bin/python3');
    const bad = { ...(JSON.parse(readFileSync(file, 'utf8')) as object), python: 3 };
    writeFileSync(file, JSON.stringify(bad));
    expect(() => readReplayArtefact(file)).toThrow(/`python`: expected string, found `3`/);
  });

  it("FINDINGS.md's replay of a Python run names the interpreter, also where the run's own replay was a file", () => {
    process.env[PYTHON_ENV] = '/usr/bin/python3';
    const finding = { kind: 'lock-order-cycle', severity: 'error', message: 'cycle', evidence: {} };
    const run = {
      adapter: 'python-bug-abba',
      scenario: 'lock-inversion',
      seed: 3,
      status: 'fail',
      findings: [finding],
      metrics: { produced: 10, delivered: 10 },
      replay: { ...replayFor(PY, 'lock-inversion', 3), command: 'npx logjam replay .logjam/replays/x.replay.json' },
    };
    const report = {
      schema: 'logjam.report/1',
      startedAt: '2026-12-01T00:00:00Z',
      durationMs: 1000,
      environment: { command: 'logjam run', node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu' },
      runs: [run],
    } as unknown as Report;
    expect(findingsMarkdown(report)).toContain('Replay: `npx logjam run --adapter python-bug-abba --scenario lock-inversion --seed 3 --python /usr/bin/python3`');
  });
});

describe('replay file of a PCT run', () => {
  it("reads back a schedule seed above 2^31: deriveSeed gives any unsigned 32-bit value (stress's random seeds hit it)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'logjam-replay-pct-'));
    try {
      const seed = 1474614883;
      const run = {
        adapter: 'reference-bug-abba',
        scenario: 'lock-inversion',
        seed,
        params: { threads: 2 },
        status: 'fail',
        findings: [{ kind: 'lock-order-cycle', severity: 'error', message: 'cycle', evidence: {} }],
        metrics: {},
        replay: replayFor(JS, 'lock-inversion', seed),
      } as unknown as RunResult;
      const file = writeReplayArtefact(run, dir, { schedule: { mode: 'pct', seed: 3105667943, depth: 3 } });
      expect(readReplayArtefact(file).schedule).toEqual({ mode: 'pct', seed: 3105667943, depth: 3 });
      const bad = JSON.parse(readFileSync(file, 'utf8')) as { schedule: { seed: number } };
      bad.schedule.seed = 2 ** 32;
      writeFileSync(file, JSON.stringify(bad));
      expect(() => readReplayArtefact(file)).toThrow(/`schedule.seed`: expected at most 4294967295/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
