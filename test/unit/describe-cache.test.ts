import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCache, listingDep, signatureOf } from '../../harness/util/describe-cache.js';
import { describePythonAdapters } from '../../harness/util/python.js';

const adapterSource = (description: string): string =>
  [
    'name = "cached-adapter"',
    `description = ${JSON.stringify(description)}`,
    'capabilities = {"format": "text", "gracefulShutdown": True}',
    'def create(ctx):',
    '    raise RuntimeError("never created by describe")',
    '',
  ].join('\n');

describe('the describe cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logjam-describe-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers while every file is unchanged, and misses once one changes, appears or disappears', () => {
    const cache = describeCache({}, join(dir, 'cache'));
    const file = join(dir, 'input.txt');
    const absent = join(dir, 'not-yet.txt');
    writeFileSync(file, 'one');
    cache.set('k', { answer: 1 }, [file, absent]);
    // A new instance per lookup pass, as the CLI makes one per command.
    expect(describeCache({}, join(dir, 'cache')).get('k')).toEqual({ answer: 1 });
    writeFileSync(file, 'two');
    expect(describeCache({}, join(dir, 'cache')).get('k')).toBeUndefined();
    cache.set('k', { answer: 2 }, [file, absent]);
    expect(describeCache({}, join(dir, 'cache')).get('k')).toEqual({ answer: 2 });
    writeFileSync(absent, '');
    expect(describeCache({}, join(dir, 'cache')).get('k')).toBeUndefined();
  });

  it('watches a project folder for the names that would shadow a module, not for any file in it', () => {
    const folder = join(dir, 'project');
    mkdirSync(folder);
    const cacheDir = join(dir, 'cache');
    describeCache({}, cacheDir).set('k', 'v', [listingDep(folder, ['logging', 'logging.py'])]);
    writeFileSync(join(folder, 'notes.txt'), 'an edit in the project');
    expect(describeCache({}, cacheDir).get('k')).toBe('v');
    writeFileSync(join(folder, 'logging.py'), '# shadows the standard library');
    expect(describeCache({}, cacheDir).get('k')).toBeUndefined();
  });

  it('keeps the signature taken before a describe, so a file edited during it is described again', () => {
    const file = join(dir, 'input.txt');
    writeFileSync(file, 'before');
    const before = { [file]: signatureOf(file) };
    writeFileSync(file, 'edited while being described');
    describeCache({}, join(dir, 'cache')).set('k', 'stale', [file], before);
    expect(describeCache({}, join(dir, 'cache')).get('k')).toBeUndefined();
  });

  it('treats a corrupt entry as a miss and is off with LOGJAM_NO_CACHE=1', () => {
    const cacheDir = join(dir, 'cache');
    describeCache({}, cacheDir).set('k', 'v', []);
    expect(describeCache({}, cacheDir).get('k')).toBe('v');
    expect(describeCache({ LOGJAM_NO_CACHE: '1' }, cacheDir).get('k')).toBeUndefined();
    for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), '{"schema": "logjam.describe-cache/1", "key"');
    expect(describeCache({}, cacheDir).get('k')).toBeUndefined();
  });

  it("describes a Python adapter once, answers again without starting Python, and sees an edit to the adapter's file", async () => {
    const adapter = join(dir, 'cached_adapter.py');
    writeFileSync(adapter, adapterSource('first description'));
    // An interpreter that counts its starts, then runs the real one.
    const starts = join(dir, 'starts');
    writeFileSync(starts, '');
    const python = join(dir, 'counting-python');
    writeFileSync(python, `#!/bin/sh\necho x >> '${starts}'\nexec python3 "$@"\n`);
    chmodSync(python, 0o755);
    const started = (): number => readFileSync(starts, 'utf8').split('\n').filter((l) => l !== '').length;
    const describeOnce = async (): Promise<string | undefined> => {
      const d = (await describePythonAdapters([adapter], python, 60_000, describeCache({}, join(dir, 'cache')))).get(adapter);
      return d?.ok === true ? d.description.description : `error: ${d?.ok === false ? d.message : 'none'}`;
    };

    expect(await describeOnce()).toBe('first description');
    expect(started()).toBe(1);
    expect(await describeOnce()).toBe('first description');
    expect(started()).toBe(1);

    writeFileSync(adapter, adapterSource('second description'));
    expect(await describeOnce()).toBe('second description');
    expect(started()).toBe(2);
    expect(await describeOnce()).toBe('second description');
    expect(started()).toBe(2);
  });

  it('does not cache an adapter that fails to describe: fixing it is seen at once', async () => {
    const adapter = join(dir, 'broken_adapter.py');
    writeFileSync(adapter, 'name = "broken"\n');
    const cache = (): ReturnType<typeof describeCache> => describeCache({}, join(dir, 'cache'));
    const first = (await describePythonAdapters([adapter], 'python3', 60_000, cache())).get(adapter);
    expect(first?.ok).toBe(false);
    writeFileSync(adapter, adapterSource('fixed'));
    const second = (await describePythonAdapters([adapter], 'python3', 60_000, cache())).get(adapter);
    expect(second?.ok === true ? second.description.description : second).toBe('fixed');
  });
});
