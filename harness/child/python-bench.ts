/**
 * One benchmark iteration of a Python adapter, inside the benchmark's child process
 * (benchmark-child.ts): the Python driver runs the load (`python -m logjam_driver bench`,
 * python/logjam_driver/bench.py) in this process's group, so the host's kill at the deadline
 * ends it too; this side gives it logjam's TCP collector or a drained pipe where its adapter
 * needs one, and reads the sink back through the same ledger as a JS adapter's.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { BenchSample, BenchSpec } from '../contract/benchmark-protocol.js';
import { Ledger } from '../ledger/ledger.js';
import { Collector } from '../sinks/collector.js';
import { pythonEnv, pythonExecutable } from '../util/python.js';
import { declaresTcp, drain } from './python-bridge.js';

interface PythonBenchResult {
  readonly type: 'result';
  readonly skip?: string;
  readonly produced: number;
  readonly wallMs: number;
  /** First call to the last producer's last call returned. */
  readonly loggingMs: number;
  /** The Python process's CPU time (every thread) from the first call to the last close. */
  readonly cpuMs: number;
  readonly callLatencyUs: BenchSample['callLatencyUs'];
  readonly peakRssMb: number;
  readonly files: readonly string[];
  readonly format: 'ndjson' | 'text';
}

type PythonBenchMessage = PythonBenchResult | { readonly type: 'error'; readonly message: string };

/** Thrown when the adapter's own `unavailable` says it cannot run here (its logger is not installed). */
export class PythonBenchSkip extends Error {}

export async function pythonBenchIteration(spec: BenchSpec): Promise<BenchSample> {
  const adapter = fileURLToPath(spec.adapterUrl);
  const file = join(spec.dir, 'sink.log');
  const collector = declaresTcp(adapter) ? await Collector.start(file, {}) : undefined;
  try {
    const driverSpec = {
      adapter,
      shape: spec.shape,
      threads: spec.threads,
      records: spec.records,
      file,
      resultFd: 3,
      streamFd: 4,
      ...(collector !== undefined ? { collector: [collector.address.host, collector.address.port] } : {}),
    };
    const child = spawn(pythonExecutable(), ['-m', 'logjam_driver', 'bench', JSON.stringify(driverSpec)], { env: pythonEnv(), stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-4096)));
    // What a `pipe` adapter writes to its fd 4 goes to the sink file, as the run's bridge does.
    const piped = drain(child.stdio[4] as Readable, file);
    const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    await piped;
    if (collector !== undefined) await collector.close(10_000);
    if (ended.error !== undefined) throw new Error(`could not start the Python interpreter \`${pythonExecutable()}\`: ${ended.error.message}`);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    const message = line !== undefined ? (JSON.parse(line) as PythonBenchMessage) : undefined;
    if (message === undefined) throw new Error(`the Python driver ended with ${ended.signal ?? `code ${ended.code}`} and no result: ${err.trim().split('\n').slice(-5).join('\n')}`);
    if (message.type === 'error') throw new Error(`the Python adapter failed: ${message.message}`);
    if (message.skip !== undefined) throw new PythonBenchSkip(message.skip);
    const ledger = Ledger.createLocal({ producers: spec.threads, capacity: spec.records });
    for (const f of message.files) if (existsSync(f)) await ledger.deliverFile(f, message.format);
    const counts = ledger.reconcile(Array.from({ length: spec.threads }, () => spec.records), 0);
    // The driver's clock is its own: delivery is not split from shutdown here (the file is
    // written by the Python process), so the delivered figure runs to the last close, which
    // favours no Python logger over another and understates them against Node's.
    return {
      produced: counts.produced,
      delivered: counts.delivered,
      loggingMs: message.loggingMs,
      deliveredMs: message.wallMs,
      deliveredPerSec: Math.round(counts.delivered / (message.wallMs / 1000)),
      shutdownMs: Math.round(Math.max(0, message.wallMs - message.loggingMs) * 100) / 100,
      wallMs: message.wallMs,
      cpuNsPerRecord: counts.delivered > 0 ? Math.round((message.cpuMs * 1e6) / counts.delivered) : 0,
      callLatencyUs: message.callLatencyUs,
      peakRssMb: message.peakRssMb,
    };
  } finally {
    await collector?.close(1000).catch(() => undefined);
  }
}
