import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { killGroup } from '../../harness/util/cleanup.js';

describe('killGroup', () => {
  it('sends nothing for a child that never started (no pid), instead of signalling its own process group', async () => {
    // A bystander in this process's group: kill(-0) would end it with SIGKILL.
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const never = spawn('/nonexistent/logjam-no-such-program', [], { detached: true, stdio: 'ignore' });
    never.on('error', () => undefined);
    expect(never.pid).toBeUndefined();
    killGroup(never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    bystander.kill('SIGKILL');
    await once(bystander, 'exit');
  });

  it("ends a detached child's whole group, grandchildren included", async () => {
    const parent = spawn(
      process.execPath,
      ['-e', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' }); console.log(c.pid); setInterval(() => {}, 1000)"],
      { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const grandchild = Number(line.toString().trim());
    killGroup(parent);
    await once(parent, 'exit');
    // The grandchild is gone once its signal is delivered: poll its existence, bounded.
    let alive = true;
    for (let i = 0; i < 1000 && alive; i++) {
      try {
        process.kill(grandchild, 0);
        await new Promise((resolve) => setTimeout(resolve, 10));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});
