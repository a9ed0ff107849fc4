/**
 * Standalone reproductions: for findings on real loggers, a short script in `repro/` that uses
 * the logger alone (no logjam), shows the same symptom, prints `SYMPTOM: ...` and exits 1 while
 * the bug is there (0 once it is fixed). A finding that can be pasted into an upstream issue is
 * the product; `logjam findings` names the script beside each finding it matches and copies them
 * with `--repro-dir`.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FindingKind, Report } from '../contract/result.js';

export interface Reproduction {
  /** The adapter and scenario whose finding it reproduces. */
  readonly adapter: string;
  readonly scenario: string;
  /** The finding kinds it shows (any of them on a failing run matches). */
  readonly kinds: readonly FindingKind[];
  /** File name in `repro/`. */
  readonly script: string;
  /** What the script shows, in one line. */
  readonly shows: string;
  readonly upstream: string;
}

export const REPRODUCTIONS: readonly Reproduction[] = [
  {
    adapter: 'pino-transport',
    scenario: 'exit-listener',
    kinds: ['exit-loss'],
    script: 'pino-transport.exit-listener.cjs',
    shows: "every record logged from process.on('exit') after process.exit() is lost: pino's exit hook already ended the transport",
    upstream: 'https://github.com/pinojs/pino/issues/1400',
  },
  {
    adapter: 'pino-async',
    scenario: 'exit-listener',
    kinds: ['exit-loss'],
    script: 'pino-async.exit-listener.cjs',
    shows: "records logged from process.on('exit') are lost (all but the first): pino's exit hook already ended the sonic-boom destination",
    upstream: 'https://github.com/pinojs/pino/issues/1400',
  },
  {
    adapter: 'pino-async',
    scenario: 'exit-after-logging',
    kinds: ['unhandled-error', 'exit-loss'],
    script: 'pino-async.exit-after-logging.cjs',
    shows: 'process.exit(0) right after logging: "sonic boom is not ready yet" thrown from the exit hook, every record lost',
    upstream: 'https://github.com/pinojs/pino/issues/2326',
  },
  // pino-async's multistream is the same loop (lib/multistream.js), so one script shows both.
  ...['pino-sync', 'pino-async'].map((adapter) => ({
    adapter,
    scenario: 'failing-sink',
    // The healthy sink's missing records are also the run's lost-records (a fact there).
    kinds: ['unhandled-error', 'isolation-breach', 'lost-records'] as const,
    script: 'pino-sync.failing-sink.cjs',
    shows: "a multistream destination that throws (a destroyed sonic-boom) throws out of the log call and the healthy destination misses those records",
    upstream: 'https://github.com/pinojs/pino/issues/1489',
  })),
  {
    adapter: 'pino-transport',
    scenario: 'failing-sink',
    kinds: ['isolation-breach', 'unhandled-error', 'crash', 'lost-records'],
    script: 'pino-transport.failing-sink.cjs',
    shows: "one of two pino/file targets writing to /dev/full (ENOSPC) ends the transport's worker: the healthy target misses 19 of 20 records",
    upstream: 'not reported upstream as of 2026-12-01 (pino lib/worker.js: targets share one worker and multistream; thread-stream lib/worker.js exits on the uncaught error)',
  },
  {
    adapter: 'pino-transport',
    scenario: 'slow-sink',
    kinds: ['unbounded-memory'],
    script: 'pino-transport.slow-sink.cjs',
    shows: "40 MB logged to a transport whose destination stopped draining: the logging thread's buffers grow 65 MB past the 4 MiB ring, and every log call returns normally",
    upstream: 'not reported upstream as of 2026-12-01 (thread-stream index.js: ThreadStream.write() queues past the ring; pino lib/proto.js drops its false return)',
  },
  ...['startup-burst', 'steady'].map((scenario) => ({
    adapter: 'pino-transport',
    scenario,
    kinds: ['torn-records'] as const,
    script: 'pino-transport.startup-burst.cjs',
    shows: "a record straddling the end of thread-stream's 4 MiB ring reaches pino's file destination as two write(2) calls, so another writer to the same file can land between its halves",
    upstream: "not reported upstream as of 2026-12-01 (thread-stream index.js write() splits at the ring's end; nearest: https://github.com/pinojs/sonic-boom/issues/96)",
  })),
  ...['stalled-sink', 'burst-overflow'].map((scenario) => ({
    adapter: 'pino-async',
    scenario,
    kinds: ['reordered-records'] as const,
    script: 'pino-async.stalled-sink.cjs',
    shows: "logger.fatal() calls flushSync(), which writes the buffered records past an asynchronous write still in flight: one thread's records reach the file out of order",
    upstream: 'https://github.com/pinojs/sonic-boom/issues/101',
  })),
  {
    adapter: 'pino-async',
    scenario: 'reopen-then-close',
    // The run's hang window may end before the close bound: then the stuck close is a `hang`.
    kinds: ['hang', 'exit-hang', 'lost-records'],
    script: 'sonic-boom.reopen-then-close.cjs',
    shows: "destination.reopen() with a write in flight, then end(): 'close' never comes and 19 of 20 records are never written (sonic-boom 4.2.1 and 5.0.2)",
    upstream: 'not reported upstream as of 2026-12-01 (sonic-boom: release() calls reopen(), which returns early once end() has set _ending)',
  },
  ...['steady', 'startup-burst'].map((scenario) => ({
    adapter: 'pino-tcp',
    scenario,
    kinds: ['lost-records', 'exit-loss'] as const,
    script: 'pino-tcp.steady.cjs',
    shows: "transport.end() then 'close' on a pino-socket (tcp) transport whose socket still holds written data: pino-socket destroys the socket and each logger's tail never reaches the server (4 000 to 10 500 of 30 000 records)",
    upstream: 'not reported upstream as of 2026-12-01 (pino-socket 8.0.0: write() calls back before the socket has sent; destroy() calls socket.destroy())',
  })),
  ...['http-collector', 'steady', 'graceful-exit'].map((scenario) => ({
    adapter: 'winston-http',
    scenario,
    kinds: ['unhandled-error', 'lost-records', 'exit-loss'] as const,
    script: 'winston-http.http-collector.cjs',
    shows: 'logger.end() with records still in the logger\'s buffer behind the Http transport: "write after end", and 8 of 40 records never reach a collector that answers every request 200',
    upstream: 'https://github.com/winstonjs/winston/issues/2219',
  })),
  ...['winston-file', 'winston-stream', 'winston-rotating', 'winston-http'].map((adapter) => ({
    adapter,
    scenario: 'hostile-input',
    kinds: ['unhandled-error', 'crash'] as const,
    script: 'winston-file.hostile-input.cjs',
    shows: "format.json() overflows the stack on a 20 000-deep object (thrown at the caller), and a throwing getter logged while the logger's stream is backed up is formatted later and kills the process with an uncaughtException",
    upstream: 'no upstream thread found (logform json.js:28, winston logger.js:337)',
  })),
  ...['bunyan-file', 'bunyan-stream', 'bunyan-rotating'].map((adapter) => ({
    adapter,
    scenario: 'hostile-input',
    kinds: ['unhandled-error'] as const,
    script: 'bunyan-file.hostile-input.cjs',
    shows: "a BigInt field or a 20 000-deep object makes log.info() throw at the caller and the record is never written: bunyan's safe-json-stringify fallback throws too",
    upstream: 'https://github.com/trentm/node-bunyan/issues/662',
  })),
  {
    adapter: 'log4js-tcp',
    scenario: 'hostile-input',
    kinds: ['unhandled-error', 'crash'],
    script: 'log4js-tcp.hostile-input.cjs',
    shows: "a null-prototype field, buffered before the tcp appender's socket connects, throws in LoggingEvent.serialise() from the 'connect' callback: an uncaughtException kills the process",
    upstream: 'https://github.com/log4js-node/log4js-node/issues/1417',
  },
];

/** The package's `repro/` folder (the same from the sources and from dist/). */
export function reproRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'logjam') return join(dir, 'repro');
    const up = dirname(dir);
    if (up === dir) throw new Error(`could not find logjam's package folder above ${fileURLToPath(import.meta.url)}: this is a harness bug`);
    dir = up;
  }
}

export interface MatchedReproduction {
  readonly reproduction: Reproduction;
  /** Runs of the report that show it (failing, or reporting it as a fact). */
  readonly runs: number;
}

/** How a script is run: Python scripts with python3, the rest with node. */
export function scriptCommand(script: string, folder: string): string {
  return `${script.endsWith('.py') ? 'python3' : 'node'} ${folder}/${script}`;
}

function shows(run: Pick<Report['runs'][number], 'findings'>, kinds: readonly FindingKind[]): boolean {
  // A finding reported as information (a collector's exit loss, a skipped judgement) is not
  // in FINDINGS.md's list, so it needs no script; a failure or a fact does.
  return run.findings.some((f) => kinds.includes(f.kind) && f.severity !== 'info');
}

/** The reproductions whose adapter, scenario and one of whose kinds a run of the report shows. */
export function reproductionsFor(report: Pick<Report, 'runs'>): MatchedReproduction[] {
  const out: MatchedReproduction[] = [];
  for (const reproduction of REPRODUCTIONS) {
    const runs = report.runs.filter((r) => r.adapter === reproduction.adapter && r.scenario === reproduction.scenario && shows(r, reproduction.kinds)).length;
    if (runs > 0) out.push({ reproduction, runs });
  }
  return out;
}

/** The script that shows `kind` in `adapter` × `scenario` with the logger alone, as a command. */
export function standaloneFor(adapter: string, scenario: string, kind: FindingKind, folder: string): string | undefined {
  const r = REPRODUCTIONS.find((x) => x.adapter === adapter && x.scenario === scenario && x.kinds.includes(kind));
  return r === undefined ? undefined : scriptCommand(r.script, folder);
}

/** The Markdown section FINDINGS.md ends with: one script per matched finding, and how to run it. */
export function reproMarkdown(matched: readonly MatchedReproduction[], folder: string): string {
  if (matched.length === 0) return '';
  const lines = [
    '',
    '## Standalone reproductions',
    '',
    'Each script uses the logger alone (no logjam), prints `SYMPTOM: ...` and exits 1 while the bug is there (0 once it is fixed). Run it from a project where the logger is installed.',
    '',
    '| adapter × scenario | runs showing it | script | shows | upstream |',
    '|---|---|---|---|---|',
    ...matched.map(({ reproduction: r, runs }) => `| \`${r.adapter}\` × \`${r.scenario}\` | ${runs} | \`${scriptCommand(r.script, folder)}\` | ${r.shows} | ${r.upstream} |`),
    '',
  ];
  return lines.join('\n');
}
