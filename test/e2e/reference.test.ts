/**
 * The reference logger (adapters/reference/), as users drive it: each case runs a typed fixture
 * program (test/fixtures/reference/, built into dist/ with the logger) in a fresh Node process
 * (configuration is once per process); it logs from real worker threads into real files and
 * reports what it saw as JSON.
 * Threads meet through SharedArrayBuffer handshakes, never sleeps; nothing here asserts a duration.
 */

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Config from '../../adapters/reference/config.js';
import { ROOT, scratchDir } from './helpers.js';

/** The fixtures as `npm run build` compiled them (tsconfig.build.json), importing the built logger. */
const FIXTURES = join(ROOT, 'dist', 'test', 'fixtures', 'reference');
const { validateConfig, ConfigError } = (await import(pathToFileURL(join(ROOT, 'dist', 'adapters', 'reference', 'config.js')).href)) as typeof Config;

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (name: string): string => join(dir, `${++n}-${name}`);

/** Runs fixture `<name>` (test/fixtures/reference/<name>.ts, built) with `args` in a fresh Node process. */
function spawnFixture(name: string, args: readonly string[], timeoutMs = 50_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(FIXTURES, `${name}.js`), ...args], { encoding: 'utf8', timeout: timeoutMs });
}

/** Runs fixture `<name>.ts`, which must exit 0; answers its last stdout line as JSON. */
function run<T>(name: string, ...args: string[]): T {
  const r = spawnFixture(name, args);
  if (r.status !== 0) throw new Error(`fixture ${name}.ts failed (${r.status ?? r.signal}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

const lines = (file: string): Record<string, unknown>[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];

describe('the logging model', () => {
  it('routes records through the dotted hierarchy with levels and propagation', () => {
    const all = path('all.log');
    const db = path('db.log');
    const out = run<{ enabled: boolean[] }>('hierarchy', all, db);
    expect(out.enabled).toEqual([false, true]);
    expect(lines(all).map((l) => [l['name'], l['msg']])).toEqual([
      ['app.http', 'http warn'],
      ['other', 'other info'],
      ['app.late', 'after setLevel'],
    ]);
    expect(lines(db).map((l) => [l['name'], l['level'], l['msg']])).toEqual([['app.db.pool', 'debug', 'pool debug']]);
  });

  it('formats text with a template compiled at configuration, fields and errors included', () => {
    const file = path('text.log');
    run('text-format', file);
    const text = readFileSync(file, 'utf8').split('\n');
    expect(text[0]).toBe('INFO [a] hello {"user":"ana","n":2}');
    // One record, one line: the stack's newlines are escaped.
    expect(text[1]).toMatch(/^ERROR \[a\] boom\\nError: bad thing\\n {4}at /);
  });
});

describe('configure()', () => {
  it('refuses a bad configuration, saying what was expected for each problem and how to fix it', () => {
    const attempt = (): unknown =>
      validateConfig({
        handlers: {
          f: { type: 'file', formatter: 'jsn' },
          m: { type: 'memory', capacity: 0, target: 'nope' },
          s: { type: 'socket' },
          w: { type: 'writable', stream: 'stdout' },
        },
        formatters: { t: { template: '{time} {lvl}' } },
        root: { level: 'verbose', handlers: ['f', 'g'] },
        extra: true,
      });
    expect(attempt).toThrow(ConfigError);
    let problems: readonly string[] = [];
    try {
      attempt();
    } catch (error: unknown) {
      problems = (error as InstanceType<typeof ConfigError>).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'Unknown key `extra`. Expected one of queue, formatters, filters, handlers, root, loggers, listener, shutdown, variant',
        'Expected `handlers.f.filename` to be a file path, got `undefined`',
        'Expected `handlers.f.formatter` to be the name of a formatter under `formatters` (t), got `jsn` (string). Define it under `formatters` or fix the name',
        'Expected `handlers.m.capacity` to be an integer >= 1, got `0` (number)',
        'Expected `handlers.m.target` to be the name of a handler under `handlers` (f, m, s, w), got `nope` (string). Define the handler under `handlers` or fix the name',
        "Expected `handlers.s.type` to be one of 'stream', 'file', 'rotating-file', 'memory', 'null', 'custom', 'writable', got `socket` (string)",
        'Expected `handlers.w.stream` to be a Node Writable (an object with write() and end()), got `stdout` (string)',
        'Expected `root.level` to be one of debug, info, warn, error, fatal, got `verbose` (string)',
        'Expected `root.handlers[1]` to be the name of a handler under `handlers` (f, m, s, w), got `g` (string). Define the handler under `handlers` or fix the name',
      ]),
    );
    expect(problems.some((p) => p.startsWith('Unknown placeholder `{lvl}` in `formatters.t.template`'))).toBe(true);
  });

  it('fails configure() with the module and export when a custom handler cannot be loaded', () => {
    const out = run<{ message: string }>('missing-export');
    expect(out.message).toMatch(/The listener thread could not start: .*to export `Missing`, but it exports Handler|other/s);
  });
});

describe('handlers', () => {
  it('rotates a file before it would pass maxBytes, keeping backupCount old files', () => {
    const file = path('rot.log');
    run('rotation', file);
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(2000);
    expect(existsSync(`${file}.3`)).toBe(false);
    const kept = [...lines(`${file}.2`), ...lines(`${file}.1`), ...lines(file)].map((l) => l['msg']);
    // The newest records, whole and in order, across the rotated files.
    expect(kept.at(-1)).toBe('record 0199');
    expect(kept).toEqual(kept.slice().sort());
    expect(kept.length).toBeGreaterThan(20);
  });

  it('buffers in a MemoryHandler until an ERROR or capacity, and flushes nothing it was told not to on close', () => {
    const file = path('mem.log');
    run('memory-handler', file);
    expect(lines(file).map((l) => l['msg'])).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'e']);
  });

  it('isolates a failing handler: the other handler gets every record and the failures go to handleError', () => {
    const file = path('iso.log');
    const out = run<{ dropped: number }>('failing-handler', file);
    const got = lines(file).map((l) => l['msg']);
    expect(got).toHaveLength(5000 - out.dropped);
    expect(out.dropped).toBe(0);
  });

  it('bounds a handler that logs from inside its own emit: its records reach the other handlers once', () => {
    const file = path('reentrant.log');
    run('reentrant-handler', file);
    const got = lines(file).map((l) => l['msg'] as string);
    expect(got.filter((m) => m.startsWith('m'))).toHaveLength(100);
    // Each record's echo went to the file only, and the echo was not echoed again.
    expect(got.filter((m) => m.startsWith('saw m'))).toHaveLength(100);
    expect(got.some((m) => m.startsWith('saw saw'))).toBe(false);
  });
});

describe('the shared queue', () => {
  it('keeps every ERROR of a burst far above capacity and counts every drop exactly', () => {
    const file = path('burst.log');
    const out = run<{ produced: number; errors: number; dropped: { total: number; error: number; fatal: number } }>('burst', file);
    const got = lines(file);
    expect(out.dropped.total).toBeGreaterThan(10_000);
    expect(got.length + out.dropped.total).toBe(out.produced);
    expect(out.dropped.error + out.dropped.fatal).toBe(0);
    expect(got.filter((l) => l['level'] === 'error')).toHaveLength(out.errors);
    // Kept records stay in the order they were logged.
    const seqs = got.filter((l) => l['name'] === 'burst').map((l) => Number((l['msg'] as string).slice(1)));
    expect(seqs).toEqual(seqs.slice().sort((a, b) => a - b));
  });

  it('carries the AsyncLocalStorage trace context of a worker thread across awaits to the file', () => {
    const file = path('ctx.log');
    run('trace-context', file);
    const got = lines(file);
    expect(got.find((l) => l['msg'] === 'inside t-1')).toMatchObject({ traceId: 't-1', spanId: 't-1/s' });
    expect(got.find((l) => l['msg'] === 'inside t-2')).toMatchObject({ traceId: 't-2', spanId: 't-2/s' });
    expect(got.find((l) => l['msg'] === 'outside')).not.toHaveProperty('traceId');
  });

  it('swaps the handlers while two threads log, with no record lost or written twice', () => {
    const file = path('swap.log');
    const out = run<{ swaps: number; dropped: number }>('swap', file);
    expect(out.swaps).toBeGreaterThanOrEqual(5);
    expect(out.dropped).toBe(0);
    const got = lines(file);
    for (const p of ['p0', 'p1']) {
      const seqs = got.filter((l) => l['name'] === p).map((l) => Number(l['msg']));
      expect(seqs).toEqual(Array.from({ length: 40000 }, (_, i) => i));
    }
  });

  it("keeps each of ten threads' records in order, over four lanes, the shared ring and spills, and flushes them all", () => {
    const file = path('lanes.log');
    const out = run<{ produced: number; flushed: boolean; linesAtFlush: number; dropped: number }>('lanes', file);
    const got = lines(file);
    expect(out.flushed).toBe(true);
    // Every record accepted before flush() was in the file when it returned; drops are counted.
    expect(out.linesAtFlush).toBe(got.length);
    expect(got.length + out.dropped).toBe(out.produced);
    for (let p = 0; p < 10; p++) {
      const seqs = got.filter((l) => l['name'] === `p${p}`).map((l) => Number(l['msg']));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
    }
  });

  it('drains the queue at process.exit() with no shutdown call', () => {
    const file = path('exit.log');
    const r = spawnFixture('exit-drain', [file]);
    expect(r.status).toBe(3);
    const got = lines(file);
    for (const name of ['w', 'main']) expect(got.filter((l) => l['name'] === name)).toHaveLength(30000);
  });

  it("writes to the application's own Writable: flushAsync() waits for the stream's write callbacks, stopAsync() ends it", () => {
    // The stream holds every write's callback until the fixture releases it: flushAsync() must
    // stay pending while any write holding an earlier record is held.
    const result = run<{ pendingWhileHeld: boolean; flushed: boolean; linesAtFlush: number; stopped: boolean; finished: boolean; lines: number }>('writable');
    expect(result).toEqual({ pendingWhileHeld: true, flushed: true, linesAtFlush: 100, stopped: true, finished: true, lines: 100 });
  });

  it('lets the process exit by itself once logging is done', () => {
    const file = path('natural.log');
    // A process kept alive by the logger is killed at the timeout: a signal, not a status.
    const r = spawnFixture('natural-exit', [file], 20_000);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(lines(file)).toHaveLength(10000);
  });
});
