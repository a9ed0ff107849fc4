/**
 * `npm run bench`: the record ledger's cost, side by side with the obvious alternatives in one
 * run, reported as ratios. Targets (docs/architecture.md, "The record ledger is exact and
 * cheap"): about a bit per record, and never the bottleneck of the fastest logger (pino-sync
 * delivers ~300k records/s here, ~3 µs each).
 */

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { Ledger } from '../harness/ledger/ledger.js';
import { encodeRecord, parseLine } from '../harness/ledger/record.js';

const BATCH = 100_000;

/** The machine's load: every figure below is read against it. */
const load = (): string => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} cores`;
console.log(`${new Date().toISOString()} ${process.version}: ${load()} at start`);
const results: Record<string, { nsPerRecord: number; bytesPerRecord?: number }> = {};

const lines = Array.from({ length: 1000 }, (_, s) =>
  JSON.stringify({ level: 30, time: 1_700_000_000_000 + s, pid: 1, hostname: 'h', msg: encodeRecord(0, s, `payload-${s}-abcdefghijklmnopqrstuvwxyz`) }),
);

const bench = new Bench({ time: 400, warmupTime: 100 });
bench
  // A fresh ledger per iteration: a second pass over the same one would time the duplicate path.
  .add('ledger.deliver, SharedArrayBuffer (Atomics)', () => {
    const shared = Ledger.createShared({ producers: 1, capacity: BATCH });
    for (let s = 0; s < BATCH; s++) shared.deliver(0, s);
  })
  .add('ledger.deliver, local ArrayBuffer', () => {
    const local = Ledger.createLocal({ producers: 1, capacity: BATCH });
    for (let s = 0; s < BATCH; s++) local.deliver(0, s);
  })
  .add('baseline: Set<number>.add', () => {
    const seen = new Set<number>();
    for (let s = 0; s < BATCH; s++) seen.add(s);
  })
  .add('baseline: Uint8Array, one byte per record', () => {
    const seen = new Uint8Array(BATCH);
    for (let s = 0; s < BATCH; s++) seen[s] = 1;
  });

const parse = new Bench({ time: 400, warmupTime: 100 });
parse
  .add('parseLine (marker + checksum + JSON check)', () => {
    for (const line of lines) parseLine(line, 'ndjson');
  })
  .add('baseline: JSON.parse alone', () => {
    for (const line of lines) JSON.parse(line);
  });

await bench.run();
await parse.run();

const rows: { task: string; 'ns/record': string; 'vs first': string }[] = [];
function collect(b: Bench, perIteration: number): void {
  let first: number | undefined;
  for (const task of b.tasks) {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark ${task.name} did not complete: ${r.state}`);
    const ns = (r.period * 1e6) / perIteration;
    first ??= ns;
    results[task.name] = { nsPerRecord: Math.round(ns * 100) / 100 };
    rows.push({ task: task.name, 'ns/record': ns.toFixed(2), 'vs first': `${(ns / first).toFixed(2)}x` });
  }
}
collect(bench, BATCH);
collect(parse, lines.length);

// Memory per record: a ledger of ten million records against a Set holding the same ids.
const n = 10_000_000;
results['ledger.deliver, SharedArrayBuffer (Atomics)']!.bytesPerRecord = Ledger.byteLength({ producers: 1, capacity: n }) / n;
global.gc?.();
const before = process.memoryUsage().heapUsed;
const set = new Set<number>();
for (let s = 0; s < 1_000_000; s++) set.add(s);
const setBytes = (process.memoryUsage().heapUsed - before) / set.size;
results['baseline: Set<number>.add']!.bytesPerRecord = Math.round(setBytes * 10) / 10;

console.table(rows);
console.table(
  Object.entries(results)
    .filter(([, v]) => v.bytesPerRecord !== undefined)
    .map(([task, v]) => ({ task, 'bytes/record': v.bytesPerRecord })),
);
writeFileSync('bench-results.json', `${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
console.log('written: bench-results.json');

// In a fresh process: this one's heap (the ledger bench's garbage) slowed the lock loops in some runs.
const lockBench = spawnSync(process.execPath, [fileURLToPath(new URL('./locks-main.js', import.meta.url))], { stdio: 'inherit' });
if (lockBench.status !== 0) throw new Error(`the lock bench failed (exit ${lockBench.status ?? lockBench.signal})`);
const referenceDelivered = await (await import('./reference.js')).runReferenceBench();
// Issue 17: `logjam compare`'s default ranking against the figures just measured.
const { benchAgreement, printAgreement } = await import('./compare-agreement.js');
const agreement = await benchAgreement(referenceDelivered);
printAgreement(agreement);
writeFileSync('bench-results-compare.json', `${JSON.stringify({ node: process.version, agreement }, null, 2)}\n`);
console.log('written: bench-results-compare.json');
// Issue 17: where a run's time goes, and the CLI's start, each beside `node -e 0` in this run.
const { benchPhases, printPhases } = await import('./phases.js');
const phases = await benchPhases();
printPhases(phases);
const { benchCli, printCli } = await import('./cli.js');
const cli = benchCli();
printCli(cli);
writeFileSync('bench-results-startup.json', `${JSON.stringify({ node: process.version, phases, cli }, null, 2)}\n`);
console.log('written: bench-results-startup.json');
console.log(`${new Date().toISOString()}: ${load()} at the end`);
