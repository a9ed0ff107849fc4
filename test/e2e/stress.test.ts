/**
 * `logjam stress` as a person runs it locally (here without a terminal: plain progress lines).
 */

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, logjam, ROOT, scratchDir } from './helpers.js';

describe('logjam stress', () => {
  it('stops at the first failure of a seeded deadlock and prints a replay command that reproduces it', () => {
    const r = logjam(['stress', '--until-failure', '--adapter', 'reference-bug-abba', '--scenario', 'lock-inversion', '--iterations', '3', '--out', scratchDir()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('stress stopped: first failure');
    expect(r.stdout).toContain('1 iteration(s), 1 runs');
    const file = /Replay the first failure:\n {2}npx logjam replay (\S+\.replay\.json)\n/.exec(r.stdout)?.[1];
    expect(file).toMatch(/reference-bug-abba\.lock-inversion\.\d+\.replay\.json$/);
    // The replay file records the seed, parameters and PCT schedule: the failure comes back.
    const again = logjam(['replay', file ?? '']);
    expect(again.stdout).toContain('reproduced 1/1');
    expect(again.stdout).toContain('lock-order-cycle');
  });

  it('runs the asked iterations with fresh seeds and plain progress lines off a terminal', () => {
    const r = logjam(['stress', '--adapter', 'reference', '--scenario', 'graceful-exit', '--iterations', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^iteration 1\/2 · 0 runs · .* · 0 failing · 00:\d\d elapsed · 1 more iteration\(s\)$/m);
    expect(r.stdout).toMatch(/^iteration 2\/2 · 1 runs · /m);
    expect(r.stdout).toContain('stress stopped: 2 iteration(s) done\n2 iteration(s), 2 runs in');
  });

  it('stops cleanly on Ctrl-C with a summary', async () => {
    const child = spawn(process.execPath, [BIN, 'stress', '--adapter', 'reference', '--scenario', 'steady', '--duration', '5m'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        // The first progress line is printed as the first run starts: interrupt it there.
        if (out.includes('iteration 1 ·') && !child.killed) child.kill('SIGINT');
      });
      child.once('close', (c) => {
        clearTimeout(deadline);
        resolve(c);
      });
    });
    expect(out).toContain('stress stopped: interrupted (Ctrl-C)');
    expect(out).toContain('1 iteration(s), 0 runs');
    // A command stopped by a signal exits 3, stress included (README, Exit codes).
    expect(code).toBe(3);
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
