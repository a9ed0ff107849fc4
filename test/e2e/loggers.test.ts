/**
 * The real loggers from the registry (winston, bunyan, log4js, pino.multistream), each through
 * its bundled adapter, in real child processes and threads: what they deliver under load, what
 * their documented shutdown keeps, and that rotation is read back whole.
 */

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../harness/contract/result.js';
import { api, logjam, logjamReport, ROOT, scratchDir } from './helpers.js';

const THREADED = ['winston-file', 'winston-stream', 'bunyan-file', 'bunyan-stream', 'log4js-file', 'log4js-tcp', 'pino-multistream'];
const ROTATING = ['winston-rotating', 'bunyan-rotating', 'log4js-rotating'];

describe('logjam list', () => {
  it('shows every real-logger adapter with the exact logger and helper versions it loads', () => {
    const cli = logjam(['list', '--json']);
    expect(cli.code).toBe(0);
    const { adapters } = JSON.parse(cli.stdout) as { adapters: { name: string; versions: Record<string, string> }[] };
    const pkg = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    const byName = new Map(adapters.map((a) => [a.name, a.versions]));
    for (const name of [...THREADED, ...ROTATING]) expect(byName.has(name), name).toBe(true);
    expect(byName.get('winston-file')).toMatchObject({ winston: pkg('winston'), 'winston-transport': pkg('winston-transport') });
    expect(byName.get('bunyan-rotating')).toMatchObject({ bunyan: pkg('bunyan'), mv: pkg('mv') });
    expect(byName.get('log4js-tcp')).toMatchObject({ log4js: pkg('log4js'), streamroller: pkg('streamroller') });
    expect(byName.get('pino-multistream')).toMatchObject({ pino: pkg('pino'), 'sonic-boom': pkg('sonic-boom') });
  });
});

describe('under a steady multi-threaded load', () => {
  // Small explicit parameters: three threads, 4 000 records each, so the file sees every
  // thread's writes interleaved without making the test slow.
  const steady = async (name: string) =>
    api.superviseRun({
      adapter: await api.resolveAdapter(name, ROOT),
      scenario: await api.resolveScenario('steady'),
      seed: 1,
      params: { threads: 3, records: 4000, batch: 64, maxPayload: 300 },
      timeoutMs: 30_000,
      memoryMb: 1024,
      workDir: scratchDir(),
    });

  it.each(THREADED.filter((name) => name !== 'winston-file'))('%s delivers every record of three threads, whole and in order', async (name) => {
    const result = await steady(name);
    expect(result.status, JSON.stringify(result.findings)).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 12_000, delivered: 12_000, lost: 0, duplicated: 0, reordered: 0, torn: 0 });
    expect(Object.keys(result.versions ?? {}).length).toBeGreaterThan(1);
  });

  // The same bug as under graceful-exit (winstonjs/winston#2219): each thread's logger.end()
  // right after its last batch ends the File transport under the records still buffered in
  // the logger, so every thread loses the tail of what it logged.
  // A third-party race, not a deterministic outcome: whether a thread's end() overtakes its
  // buffered records depends on the machine (on Node 24 seed 1 passed). So the test asserts a
  // rate: within 5 runs it shows at least once, and every run either passes or fails exactly
  // this way, with each failing thread's loss running to its last record.
  it('winston-file loses the last records of threads to "write after end" at its documented shutdown (at least once in 5 runs)', async () => {
    let shown = 0;
    for (let i = 0; i < 5 && shown === 0; i++) {
      const result = await steady('winston-file');
      if (result.status === 'pass') continue;
      expect(result.status).toBe('fail');
      // A shutdown that fails did not hang: its error came out of the logger (issue 13).
      expect(result.findings.filter((f) => f.kind === 'exit-hang')).toEqual([]);
      const ended = result.findings.filter((f) => f.kind === 'unhandled-error').map((f) => f.evidence['error']);
      expect(ended.length).toBeGreaterThan(0);
      expect(new Set(ended)).toEqual(new Set(['write after end']));
      const loss = result.findings.find((f) => f.kind === 'lost-records');
      const missing = (loss?.evidence['missing'] ?? []) as { producer: number; from: number; to: number }[];
      for (const m of missing) expect(m.to).toBe(3999);
      shown++;
    }
    expect(shown).toBeGreaterThan(0);
  }, 300_000);

  it('skips the thread scenarios for the rotating adapters, which rotate one file per process', () => {
    const { report } = logjamReport(['run', '--adapter', ROTATING.join(','), '--scenario', 'steady', '--seed', '1']);
    for (const run of report.runs) expect(run).toMatchObject({ status: 'skip', reason: expect.stringContaining('worker thread') as unknown });
  });
});

describe('graceful-exit: the documented shutdown, then process.exit', () => {
  const KEPT = ['winston-stream', 'bunyan-file', 'bunyan-stream', 'log4js-file', 'log4js-tcp', 'pino-multistream'];

  it('keeps its promise for bunyan, log4js, pino.multistream and winston over a stream', () => {
    const { report } = logjamReport(['run', '--adapter', KEPT.join(','), '--scenario', 'graceful-exit', '--seed', '1']);
    for (const run of report.runs) {
      expect(run.status, `${run.adapter}: ${JSON.stringify(run.findings)}`).toBe('pass');
      expect(run.metrics).toMatchObject({ delivered: run.metrics.produced, lost: 0 });
    }
  });

  // winston's File transport opens its file asynchronously; logger.end() right after a burst
  // ends the transport while its first writes wait for the open, and the writes that follow
  // fail with "write after end": the records are lost and finish never reports it as success.
  it('shows winston-file failing its documented shutdown with "write after end" and losing records', () => {
    const { cli, report } = logjamReport(['run', '--adapter', 'winston-file', '--scenario', 'graceful-exit', '--seed', '1']);
    expect(cli.code).toBe(1);
    const run = report.runs[0]!;
    expect(run.status).toBe('fail');
    // It failed, it did not hang: the shutdown's error is an error out of the logger.
    expect(run.findings.some((f) => f.kind === 'exit-hang')).toBe(false);
    const shutdown = run.findings.find((f) => f.kind === 'unhandled-error');
    expect(shutdown?.evidence).toMatchObject({ shutdown: 'The documented shutdown', error: 'write after end' });
    expect(shutdown?.message).toMatch(/^The documented shutdown failed after \d+ ms: write after end$/);
    expect(run.findings.find((f) => f.kind === 'exit-loss')?.severity).toBe('error');
    expect(run.metrics.lost).toBeGreaterThan(0);
  });
});

describe('rotation', () => {
  // A start-up burst of 2 × 6 000 multi-byte records of up to 700 characters is ~15 MB: 1 MiB
  // files rotate about fifteen times (log4js); bunyan rotates every 100 ms of burst and shutdown.
  it.each(['log4js-rotating', 'bunyan-rotating'])('%s: the ledger reads every rotated file back, and nothing is lost across rotations', async (name) => {
    const workDir = scratchDir();
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter(name, ROOT),
      scenario: await api.resolveScenario('startup-burst'),
      seed: 3,
      params: { threads: 1, records: 12_000, maxPayload: 700 },
      timeoutMs: 30_000,
      memoryMb: 1024,
      workDir,
      keepFiles: true,
    });
    expect(result.status, JSON.stringify(result.findings)).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 12_000, delivered: 12_000, lost: 0, duplicated: 0, reordered: 0, torn: 0 });
    if (name === 'log4js-rotating') {
      const [runDir] = readdirSync(workDir);
      const files = readdirSync(join(workDir, runDir ?? '')).filter((f) => /^sink\.log(\.\d+)?$/.test(f));
      expect(files.length).toBeGreaterThan(5);
    }
  });
});

describe('how a process ends: naive and graceful, by process.exit or by itself', () => {
  // Two runs of each pair: the report gives each finding's rate over them.
  let report: Report;
  let terminal: string;
  const reportFile = join(scratchDir(), 'exits.json');

  const KEEPS_ALIVE = './test/fixtures/adapters/keeps-alive.ts';

  it('natural-exit: bunyan ends by itself with every record; a logger whose timer only close() clears never does, and the report says what keeps it alive', () => {
    const cli = logjam(['run', '--adapter', `bunyan-file,${KEEPS_ALIVE},log4js-tcp`, '--scenario', 'natural-exit,natural-exit-graceful', '--seed', '1', '--runs', '2', '--json', reportFile]);
    terminal = cli.stdout;
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    const runs = (adapter: string, scenario: string) => report.runs.filter((r) => r.adapter === adapter && r.scenario === scenario);
    for (const run of [...runs('bunyan-file', 'natural-exit'), ...runs('bunyan-file', 'natural-exit-graceful'), ...runs('keeps-alive', 'natural-exit-graceful'), ...runs('log4js-tcp', 'natural-exit-graceful')]) {
      expect(run.status, `${run.adapter} × ${run.scenario}: ${JSON.stringify(run.findings)}`).toBe('pass');
      expect(run.metrics).toMatchObject({ delivered: run.metrics.produced, lost: 0 });
      // It ended by itself, within the exit bound.
      expect(run.metrics.exitMs).toBeLessThan(3000);
    }
    // Without close(), the fixture's interval keeps the process alive.
    for (const run of runs('keeps-alive', 'natural-exit')) {
      expect(run.status).toBe('fail');
      const alive = run.findings.find((f) => f.kind === 'exit-hang' && f.evidence['activeResources'] !== undefined);
      expect(alive?.evidence['activeResources']).toMatchObject({ Timeout: 1 });
    }
    // log4js documents that log4js.shutdown() must be called for its tcp appender's socket to
    // close: natural-exit, which never calls it, is skipped with log4js's own words (issue 13).
    for (const run of runs('log4js-tcp', 'natural-exit')) {
      expect(run).toMatchObject({ status: 'skip', reason: expect.stringContaining('Remember to call log4js.shutdown') as unknown });
    }
  });

  it('natural-exit: records a logger drops and counts in its own exit hook are reported dropped, not lost', async () => {
    // The fixture's exit hook runs after the scenario reported its counts: the harness's own
    // exit hook, registered after the logger's, reports the drops counted meanwhile.
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter(join(ROOT, 'test', 'fixtures', 'adapters', 'drops-at-exit.ts'), ROOT),
      scenario: await api.resolveScenario('natural-exit'),
      seed: 1,
      params: { records: 100, maxPayload: 64 },
      timeoutMs: 30_000,
      memoryMb: 1024,
      workDir: scratchDir(),
    });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.status).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 100, delivered: 90, droppedReported: 10, lost: 0 });
  });

  it('reports a finding\'s rate over repeated runs, in the JSON model and the terminal', () => {
    expect(report.rates).toContainEqual({ adapter: 'keeps-alive', scenario: 'natural-exit', kind: 'exit-hang', runs: 2, seen: 2, failing: 2, rate: 1, seeds: [1, 2] });
    // bunyan-file fails nothing. An informational event-loop-stall (judged on the wall clock, 1 s)
    // may show on a loaded machine and is a fact, not a failure, so only failing rates count here.
    expect(report.rates?.filter((r) => r.adapter === 'bunyan-file' && r.failing > 0)).toEqual([]);
    expect(terminal).toMatch(/Finding rates\n(?:.*\n)*?\s+exit-hang\s+keeps-alive × natural-exit\s+2\/2 runs \(100 %\)\s+seeds 1, 2/);
  });

  it('logjam findings writes FINDINGS.md from the report: rate, evidence, replay and the upstream issue', () => {
    const out = join(scratchDir(), 'FINDINGS.md');
    const cli = logjam(['findings', reportFile, '--out', out]);
    expect(cli.code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toMatch(/\| `keeps-alive` \| `natural-exit` \| 2 \| 0 \/ 2 \/ 0 \/ 0 \| [^\n]*\*\*exit-hang\*\* 2\/2/);
    expect(md).toContain('| `bunyan-file` | `natural-exit` | 2 | 2 / 0 / 0 / 0 | nothing found |');
    expect(md).toContain('- **exit-hang** in 2 of 2 runs (100 %, failing; seeds 1, 2)');
    expect(md).toMatch(/alive on: [^)]*Timeout×1/);
    expect(md).toContain(`Replay: \`npx logjam run --adapter ${KEEPS_ALIVE} --scenario natural-exit --seed 1\``);
    expect(md).toMatch(/\| `log4js-tcp` \| log4js@\d+\.\d+\.\d+, streamroller@/);
  });

  it('logjam findings says what it expected of its input', () => {
    const bad = join(scratchDir(), 'not-a-report.json');
    writeFileSync(bad, JSON.stringify({ schema: 'something/2' }));
    expect(logjam(['findings'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Expected one report file') as unknown });
    expect(logjam(['findings', bad])).toMatchObject({ code: 2, stderr: expect.stringContaining('`schema`: expected "logjam.report/1", found `"something/2"`') as unknown });
  });
});

describe('multi-byte UTF-8 records', () => {
  it('counts a line whose multi-byte character was cut apart (U+FFFD) as torn, and a whole one as delivered', () => {
    const record = api.encodeRecord(0, 0, '日本語😀é\u0301');
    const bytes = Buffer.from(`{"msg":"${record}"}`, 'utf8');
    // Drop one byte inside the 3-byte 語: the line decodes with a replacement character.
    const cut = bytes.indexOf(Buffer.from('語', 'utf8')) + 1;
    const damaged = Buffer.concat([bytes.subarray(0, cut), bytes.subarray(cut + 1)]).toString('utf8');
    expect(api.parseLine(bytes.toString('utf8'), 'ndjson')).toEqual({ ok: true, producer: 0, seq: 0 });
    expect(api.parseLine(damaged, 'ndjson')).toMatchObject({ ok: false, reason: expect.stringContaining('U+FFFD') as unknown });
  });

  it('startup-burst: a burst of multi-byte records from threads whose loggers are not ready reaches bunyan\'s stream whole', async () => {
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter('bunyan-stream', ROOT),
      scenario: await api.resolveScenario('startup-burst'),
      seed: 5,
      params: { threads: 2, records: 3000, maxPayload: 300 },
      timeoutMs: 30_000,
      memoryMb: 1024,
      workDir: scratchDir(),
    });
    expect(result.status, JSON.stringify(result.findings)).toBe('pass');
    expect(result.metrics).toMatchObject({ produced: 6000, delivered: 6000, lost: 0, torn: 0, reordered: 0 });
  });
});

describe('the liveness probe', () => {
  // The producer yields every 16 records, so an asynchronous logger would have had every chance
  // to write; this one never does again after its 100th record.
  it('reports output that stops growing while input continues as a wedge, with the sink size and the records logged since', async () => {
    const started = performance.now();
    const result = await api.superviseRun({
      adapter: await api.resolveAdapter(join(ROOT, 'test', 'fixtures', 'adapters', 'stalled-output.ts'), ROOT),
      scenario: await api.resolveScenario('steady'),
      seed: 1,
      // Enough records that logging outlasts the hang window even on a fast machine: the
      // probe must see input continue while the output stands still.
      params: { threads: 2, records: 20_000_000, batch: 16, maxPayload: 16 },
      hangMs: 1000,
      timeoutMs: 30_000,
      memoryMb: 1024,
      workDir: scratchDir(),
    });
    const wedge = result.findings.find((f) => f.kind === 'hang' && f.evidence['wedge'] === true);
    expect(wedge?.message).toMatch(/^Wedge: the sink stopped growing for \d+ ms(?: \(counted on the process's CPU clock: [^)]*\))? at \d+ bytes while \d+ more records were logged(?:, the process's threads busy on [\d.]+ of a CPU meanwhile)?; the logger reports \d+ bytes buffered, unwritten$/);
    expect(wedge?.evidence['sinkBytes']).toBeGreaterThan(0);
    // The buffered length the producers last published: every record after the 100th is held.
    const buffered = wedge?.evidence['buffered'] as { thread: string; bytes: number }[];
    expect(buffered.map((b) => b.thread).sort()).toEqual(['producer-0', 'producer-1']);
    expect(wedge?.evidence['bufferedBytes']).toBe(Math.max(...buffered.map((b) => b.bytes)));
    expect(wedge?.evidence['bufferedBytes']).toBeGreaterThan(0);
    expect(wedge?.evidence['producedSinceGrowth']).toBeGreaterThan(0);
    expect(result.status).toBe('fail');
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
