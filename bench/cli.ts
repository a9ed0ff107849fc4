/**
 * The CLI's start (issue 17: `logjam list` and `--help` within 2x `node -e 0`): each command
 * spawned in turn, interleaved with `node -e 0` so both see the same load, medians side by side.
 * `LOGJAM_BENCH_BASELINE=path/to/bin/logjam.js` adds another build's rows for a before/after.
 */

import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/logjam.js', import.meta.url));

const COMMANDS: Record<string, readonly string[]> = {
  '--help': ['--help'],
  list: ['list'],
  'run --help': ['run', '--help'],
  'usage error': ['run', '--seed', 'x'],
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function time(args: readonly string[]): number {
  const t0 = performance.now();
  spawnSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t0;
}

export function benchCli(repeats = Number(process.env['LOGJAM_BENCH_REPEATS'] ?? 7)): Record<string, { ms: number; 'x node -e 0': number }> {
  const bins: Record<string, string> = { '': BIN };
  const baseline = process.env['LOGJAM_BENCH_BASELINE'];
  if (baseline !== undefined && baseline !== '') bins['before: '] = baseline;
  const samples = new Map<string, number[]>([['node -e 0', []]]);
  for (let i = 0; i < repeats; i++) {
    samples.get('node -e 0')?.push(time(['-e', '0']));
    for (const [prefix, bin] of Object.entries(bins)) {
      for (const [name, args] of Object.entries(COMMANDS)) {
        const key = `${prefix}logjam ${name}`;
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key)?.push(time([bin, ...args]));
      }
    }
  }
  const base = median(samples.get('node -e 0') ?? []);
  return Object.fromEntries(
    [...samples].map(([k, v]) => {
      const ms = median(v);
      return [k, { ms: Math.round(ms), 'x node -e 0': Math.round((ms / base) * 100) / 100 }];
    }),
  );
}

export function printCli(rows: ReturnType<typeof benchCli>): void {
  console.log(`\nThe CLI's start, ms (median; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  console.table(rows);
}

if (import.meta.url === `file://${process.argv[1]}`) printCli(benchCli());
