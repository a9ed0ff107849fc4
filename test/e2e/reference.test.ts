/**
 * The reference logger (adapters/reference/), as users drive it: each case configures logging
 * in a fresh Node process (configuration is once per process), logs from real worker threads
 * into real files, and reports what it saw as JSON. Threads meet through SharedArrayBuffer
 * handshakes, never sleeps; nothing here asserts a duration.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Config from '../../adapters/reference/config.js';
import { ROOT, scratchDir } from './helpers.js';

const REF = pathToFileURL(join(ROOT, 'dist', 'adapters', 'reference', 'index.js')).href;
const HANDLERS = pathToFileURL(join(ROOT, 'dist', 'adapters', 'reference', 'handlers.js')).href;
const { validateConfig, ConfigError } = (await import(pathToFileURL(join(ROOT, 'dist', 'adapters', 'reference', 'config.js')).href)) as typeof Config;

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (name: string): string => join(dir, `${n}-${name}`);

/** Runs an ES module body in a fresh process, `REF` imported as `ref`; answers its last stdout line as JSON. */
function run<T>(body: string): T {
  n++;
  const file = path('script.mjs');
  writeFileSync(file, `import * as ref from ${JSON.stringify(REF)};\nimport { Worker } from 'node:worker_threads';\n${body}\n`);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 50_000 });
  if (r.status !== 0) throw new Error(`script failed (${r.status ?? r.signal}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** A worker thread running `code` (an ES module body; `ref` imported); resolves on exit. */
const WORKER = `
const worker = (code) => new Promise((resolve, reject) => {
  const w = new Worker(\`import * as ref from ${JSON.stringify(REF)};\\n\${code}\`, { eval: true });
  w.on('error', reject);
  w.on('exit', resolve);
});`;

const lines = (file: string): Record<string, unknown>[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];

/** Writes a handler module into the scratch folder and answers its URL. */
function handlerModule(name: string, source: string): string {
  const file = path(`${name}.mjs`);
  writeFileSync(file, `import { Handler, FileHandler, fileWriter } from ${JSON.stringify(HANDLERS)};\n${source}`);
  return pathToFileURL(file).href;
}

describe('the logging model', () => {
  it('routes records through the dotted hierarchy with levels and propagation', () => {
    const all = path('all.log');
    const db = path('db.log');
    const out = run<{ enabled: boolean[] }>(`
      const sys = await ref.configure({
        handlers: { all: { type: 'file', filename: ${JSON.stringify(all)} }, db: { type: 'file', filename: ${JSON.stringify(db)} } },
        root: { level: 'info', handlers: ['all'] },
        loggers: { app: { level: 'warn' }, 'app.db': { level: 'debug', handlers: ['db'], propagate: false } },
      });
      ref.getLogger('app.http').info('below app\\'s level: dropped');
      ref.getLogger('app.http').warn('http warn');
      ref.getLogger('app.db.pool').debug('pool debug');
      ref.getLogger('other').info('other info');
      ref.getLogger('other').debug('below root: dropped');
      const child = ref.getLogger('app').getChild('late');
      const enabled = [child.isEnabledFor(ref.INFO), child.isEnabledFor(ref.WARN)];
      ref.getLogger('app').setLevel('debug');
      child.debug('after setLevel');
      sys.stop();
      console.log(JSON.stringify({ enabled }));
    `);
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
    run(`
      const sys = await ref.configure({
        formatters: { text: { template: '{LEVEL} [{name}] {message}{fields}{error}' } },
        handlers: { f: { type: 'file', filename: ${JSON.stringify(file)}, formatter: 'text' } },
        root: { handlers: ['f'] },
      });
      ref.getLogger('a').info('hello', { user: 'ana', n: 2 });
      ref.getLogger('a').error('boom', new Error('bad thing'));
      sys.stop();
      console.log('{}');
    `);
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
    const out = run<{ message: string }>(`
      try {
        await ref.configure({ handlers: { h: { type: 'custom', module: ${JSON.stringify(handlerModule('empty', 'export const other = 1;'))}, export: 'Missing' } }, root: { handlers: ['h'] } });
        console.log(JSON.stringify({ message: 'configured' }));
      } catch (e) {
        console.log(JSON.stringify({ message: e.message }));
      }
    `);
    expect(out.message).toMatch(/The listener thread could not start: .*to export `Missing`, but it exports Handler|other/s);
  });
});

describe('handlers', () => {
  it('rotates a file before it would pass maxBytes, keeping backupCount old files', () => {
    const file = path('rot.log');
    run(`
      const sys = await ref.configure({
        handlers: { r: { type: 'rotating-file', filename: ${JSON.stringify(file)}, maxBytes: 2000, backupCount: 2 } },
        root: { handlers: ['r'] }, listener: { batchRecords: 7 },
      });
      const log = ref.getLogger('rot');
      for (let i = 0; i < 200; i++) log.info('record ' + String(i).padStart(4, '0'));
      sys.stop();
      console.log('{}');
    `);
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
    run(`
      const sys = await ref.configure({
        handlers: {
          target: { type: 'file', filename: ${JSON.stringify(file)} },
          mem: { type: 'memory', capacity: 5, flushLevel: 'error', target: 'target', flushOnClose: false },
        },
        root: { handlers: ['mem'] },
      });
      const log = ref.getLogger('mem');
      for (let i = 0; i < 7; i++) log.info('a' + i);   // 5 flushed at capacity, 2 buffered
      log.error('e');                                    // flushes a5, a6, e
      log.info('b0');                                    // buffered, discarded at close
      sys.stop();
      console.log('{}');
    `);
    expect(lines(file).map((l) => l['msg'])).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'e']);
  });

  it('isolates a failing handler: the other handler gets every record and the failures go to handleError', () => {
    const file = path('iso.log');
    const failing = handlerModule(
      'failing',
      `export class Failing extends Handler {
        emit() { throw new Error('disk on fire'); }
        handleError(error, records) { super.handleError(error, records); }
      }`,
    );
    const out = run<{ dropped: number }>(`
      const sys = await ref.configure({
        handlers: { bad: { type: 'custom', module: ${JSON.stringify(failing)}, export: 'Failing' }, good: { type: 'file', filename: ${JSON.stringify(file)} } },
        root: { handlers: ['bad', 'good'] },
      });
      const log = ref.getLogger('iso');
      for (let i = 0; i < 5000; i++) log.info('r' + i);
      sys.stop();
      console.log(JSON.stringify({ dropped: sys.dropped().total }));
    `);
    const got = lines(file).map((l) => l['msg']);
    expect(got).toHaveLength(5000 - out.dropped);
    expect(out.dropped).toBe(0);
  });

  it('bounds a handler that logs from inside its own emit: its records reach the other handlers once', () => {
    const file = path('reentrant.log');
    const chatty = handlerModule(
      'chatty',
      `export class Chatty extends Handler {
        emit(record) { ref.getLogger('chatty').warn('saw ' + record.message); }
      }
      import * as ref from ${JSON.stringify(REF)};`,
    );
    run(`
      const sys = await ref.configure({
        handlers: { chatty: { type: 'custom', module: ${JSON.stringify(chatty)}, export: 'Chatty' }, file: { type: 'file', filename: ${JSON.stringify(file)} } },
        root: { handlers: ['chatty', 'file'] },
      });
      for (let i = 0; i < 100; i++) ref.getLogger('app').info('m' + i);
      sys.stop();
      console.log('{}');
    `);
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
    const stalled = handlerModule(
      'stalled',
      `export class Stalled extends FileHandler {
        constructor(name, options) { super(name, fileWriter(options.file)); this.gate = new Int32Array(options.gate); }
        emitBatch(records) {
          Atomics.store(this.gate, 1, 1); Atomics.notify(this.gate, 1);
          // Stalled until the producer has logged its burst.
          Atomics.wait(this.gate, 0, 0, 30000);
          super.emitBatch(records);
        }
      }`,
    );
    const out = run<{ produced: number; errors: number; dropped: { total: number; error: number; fatal: number } }>(`
      ${WORKER}
      const gate = new SharedArrayBuffer(8);
      const sys = await ref.configure({
        queue: { capacity: 64 * 1024 },
        handlers: { f: { type: 'custom', module: ${JSON.stringify(stalled)}, export: 'Stalled', options: { file: ${JSON.stringify(file)}, gate } } },
        root: { level: 'debug', handlers: ['f'] },
      });
      const g = new Int32Array(gate);
      ref.getLogger('first').info('first');
      Atomics.wait(g, 1, 0, 30000); // the listener is inside the stalled sink
      await worker(\`
        const log = ref.getLogger('burst');
        const levels = ['debug', 'info', 'warn', 'info', 'debug'];
        for (let i = 0; i < 20000; i++) {
          if (i % 100 === 7) log.error('E' + i);
          else log.log(levels[i % 5], 'r' + i);
        }
      \`);
      Atomics.store(g, 0, 1); Atomics.notify(g, 0);
      sys.stop();
      console.log(JSON.stringify({ produced: 20001, errors: 200, dropped: sys.dropped() }));
    `);
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
    run(`
      ${WORKER}
      const sys = await ref.configure({ handlers: { f: { type: 'file', filename: ${JSON.stringify(file)} } }, root: { handlers: ['f'] } });
      await worker(\`
        const log = ref.getLogger('ctx');
        await Promise.all(['t-1', 't-2'].map((traceId) => ref.withContext({ traceId }, async () => {
          await new Promise((r) => setImmediate(r));
          await ref.withContext({ spanId: traceId + '/s' }, async () => {
            await Promise.resolve();
            log.info('inside ' + traceId);
          });
        })));
        log.info('outside');
      \`);
      sys.stop();
      console.log('{}');
    `);
    const got = lines(file);
    expect(got.find((l) => l['msg'] === 'inside t-1')).toMatchObject({ traceId: 't-1', spanId: 't-1/s' });
    expect(got.find((l) => l['msg'] === 'inside t-2')).toMatchObject({ traceId: 't-2', spanId: 't-2/s' });
    expect(got.find((l) => l['msg'] === 'outside')).not.toHaveProperty('traceId');
  });

  it('swaps the handlers while two threads log, with no record lost or written twice', () => {
    const file = path('swap.log');
    const out = run<{ swaps: number; dropped: number }>(`
      ${WORKER}
      const config = (g) => ({ handlers: { ['f' + g]: { type: 'file', filename: ${JSON.stringify(file)} } }, root: { handlers: ['f' + g] } });
      const sys = await ref.configure({ ...config(0), queue: { capacity: 64 * 1024 * 1024 } });
      let done = 0;
      const producers = [0, 1].map((p) => worker(\`
        const log = ref.getLogger('p${'$'}{p}');
        for (let i = 0; i < 40000; i++) { log.info(String(i)); if (i % 1000 === 0) await new Promise((r) => setImmediate(r)); }
      \`).then(() => done++));
      let swaps = 0;
      while (done < 2 || swaps < 5) await sys.reconfigure(config(++swaps));
      await Promise.all(producers);
      sys.stop();
      console.log(JSON.stringify({ swaps, dropped: sys.dropped().total }));
    `);
    expect(out.swaps).toBeGreaterThanOrEqual(5);
    expect(out.dropped).toBe(0);
    const got = lines(file);
    for (const p of ['p0', 'p1']) {
      const seqs = got.filter((l) => l['name'] === p).map((l) => Number(l['msg']));
      expect(seqs).toEqual(Array.from({ length: 40000 }, (_, i) => i));
    }
  });

  it('drains the queue at process.exit() with no shutdown call', () => {
    const file = path('exit.log');
    n++;
    const script = path('exit.mjs');
    writeFileSync(
      script,
      `import * as ref from ${JSON.stringify(REF)};
      import { Worker } from 'node:worker_threads';
      ${WORKER}
      await ref.configure({ queue: { capacity: 64 * 1024 * 1024 }, handlers: { f: { type: 'file', filename: ${JSON.stringify(file)} } }, root: { handlers: ['f'] } });
      await worker("const log = ref.getLogger('w'); for (let i = 0; i < 30000; i++) log.info(String(i));");
      const log = ref.getLogger('main');
      for (let i = 0; i < 30000; i++) log.info(String(i));
      process.exit(3);`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status).toBe(3);
    const got = lines(file);
    for (const name of ['w', 'main']) expect(got.filter((l) => l['name'] === name)).toHaveLength(30000);
  });

  it("writes to the application's own Writable: flushAsync() waits for the stream's write callbacks, stopAsync() ends it", () => {
    // The stream holds every write's callback until the script releases it: flushAsync() must
    // stay pending while any write holding an earlier record is held.
    const result = run<{ pendingWhileHeld: boolean; flushed: boolean; linesAtFlush: number; stopped: boolean; finished: boolean; lines: number }>(`
      const { Writable } = await import('node:stream');
      const held = [];
      let text = '';
      let finished = false;
      const stream = new Writable({
        write(chunk, _encoding, callback) { held.push(() => { text += chunk; callback(); }); },
        final(callback) { finished = true; callback(); },
      });
      const system = await ref.configure({ handlers: { app: { type: 'writable', stream } }, root: { level: 'info', handlers: ['app'] } });
      for (let i = 0; i < 100; i++) ref.getLogger('app').info('record ' + i);
      let flushed;
      const flushing = system.flushAsync(20000).then((ok) => { flushed = ok; });
      const turn = () => new Promise((resolve) => setImmediate(resolve));
      // Turns of the event loop, bounded, until the first batch is held by the stream.
      for (let i = 0; i < 10000 && held.length === 0; i++) await turn();
      for (let i = 0; i < 100; i++) await turn();
      const pendingWhileHeld = flushed === undefined && held.length > 0;
      while (flushed === undefined) {
        const release = held.shift();
        if (release !== undefined) release(); else await turn();
      }
      const linesAtFlush = text.split('\\n').filter(Boolean).length;
      const stopping = system.stopAsync(20000);
      for (;;) {
        const release = held.shift();
        if (release !== undefined) { release(); continue; }
        const done = await Promise.race([stopping.then(() => true), turn().then(() => false)]);
        if (done) break;
      }
      console.log(JSON.stringify({ pendingWhileHeld, flushed, linesAtFlush, stopped: await stopping, finished, lines: text.split('\\n').filter(Boolean).length }));
    `);
    expect(result).toEqual({ pendingWhileHeld: true, flushed: true, linesAtFlush: 100, stopped: true, finished: true, lines: 100 });
  });

  it('lets the process exit by itself once logging is done', () => {
    const file = path('natural.log');
    n++;
    const script = path('natural.mjs');
    writeFileSync(
      script,
      `import * as ref from ${JSON.stringify(REF)};
      await ref.configure({ handlers: { f: { type: 'file', filename: ${JSON.stringify(file)} } }, root: { handlers: ['f'] } });
      for (let i = 0; i < 10000; i++) ref.getLogger('n').info(String(i));`,
    );
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(lines(file)).toHaveLength(10000);
  });
});
