/**
 * `logjam list`: the bundled adapters (with the logger versions they load) and scenarios.
 * Its help loads nothing. The listing is kept in the describe cache (harness/util/describe-cache.ts):
 * a second `list` with nothing changed imports no adapter or scenario and starts no Python
 * interpreter; a changed file of the harness, a logger installed or moved, or an edited Python
 * adapter describes again.
 */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { LOGGER_PATH_ENV, PROJECT_ENV, recordProbes } from '../../../adapters/load.js';
import type { Capabilities } from '../../contract/adapter.js';
import { EXIT } from '../../contract/result.js';
import type { FileSignature } from '../../util/describe-cache.js';
import type { Described } from '../../util/python.js';
import { parse, stdout } from './io.js';
import { pinLoggerVersions } from './pins.js';

/** The package's root: dist/ when built, the sources under tsx. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What `list` prints of the bundled JS adapters and scenarios, and where the Python adapters are. */
interface Catalogue {
  readonly adapters: readonly { name: string; description: string; seededDefect: boolean; capabilities: Capabilities; versions: Record<string, string> }[];
  readonly python: readonly { name: string; path: string; seededDefect: boolean }[];
  readonly scenarios: readonly { name: string; description: string; failOn: readonly string[] }[];
}

const LIST_OPTIONS = {
  json: { type: 'boolean' },
  'logger-version': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export async function list(args: string[]): Promise<number> {
  const { values } = parse(args, LIST_OPTIONS, 'list');
  if (values.help === true) {
    stdout.write(
      'Usage: logjam list [--json] [--logger-version NAME@VERSION]\n\nLists the bundled adapters (with the logger versions they load) and the scenarios.\n\n  --json                           print as JSON\n  --logger-version NAME@VERSION    load this release (installed into the cache); repeatable\n',
    );
    return EXIT.pass;
  }
  await pinLoggerVersions(values['logger-version']);
  const [{ describeCache, signatureOf }, { describePythonAdapters, PYTHON_ENV }] = await Promise.all([import('../../util/describe-cache.js'), import('../../util/python.js')]);
  const cache = describeCache();
  // The JS catalogue depends on the harness's own files and, for the logger versions, on where
  // the loggers are found: the project, the version cache, logjam's own dependencies.
  const key = JSON.stringify({ kind: 'list', root: ROOT, cwd: process.cwd(), project: process.env[PROJECT_ENV], loggerPath: process.env[LOGGER_PATH_ENV] });
  let catalogue = asCatalogue(cache.get<unknown>(key));
  let describing: Promise<Map<string, Described>> | undefined;
  if (catalogue === undefined) {
    // Described by the Python driver in one interpreter, started first so it runs while the JS
    // adapters load.
    const python = await import('../../../adapters/python.js');
    describing = describePythonAdapters(python.PYTHON_ADAPTER_NAMES.map((name) => fileURLToPath(python.pythonAdapterUrl(name))));
    const before = sourceSignatures(signatureOf);
    const probes = recordProbes();
    catalogue = await describeCatalogue();
    cache.set(key, catalogue, [...Object.keys(before), ...probes], before);
  }
  const described = await (describing ?? describePythonAdapters(catalogue.python.map((p) => p.path)));
  const { adapters, scenarios } = catalogue;
  const pythonAdapters = catalogue.python.map(({ name, path, seededDefect }) => {
    const d = described.get(path);
    const ok = d?.ok === true ? d.description : undefined;
    return {
      name,
      description: ok !== undefined ? `${ok.description}${ok.unavailable !== undefined ? ` (skipped here: ${ok.unavailable})` : ''}` : `(not available: ${d?.ok === false ? d.message : 'no answer'})`,
      seededDefect,
      ...(ok !== undefined ? { capabilities: ok.capabilities } : {}),
      versions: ok?.versions ?? {},
    };
  });
  if (values.json === true) {
    stdout.write(`${JSON.stringify({ adapters, pythonAdapters, scenarios }, null, 2)}\n`);
    return EXIT.pass;
  }
  const c = (await import('../../../reports/colour.js')).chalkFor(stdout, process.env);
  const width = Math.max(...adapters.map((a) => a.name.length), ...pythonAdapters.map((a) => a.name.length)) + 2;
  const listAdapters = (title: string, list: readonly { name: string; description: string; versions: Record<string, string> }[]): void => {
    stdout.write(`${c.bold(title)}\n`);
    for (const a of list) {
      const versions = Object.entries(a.versions).map(([k, v]) => `${k}@${v}`).join(' ');
      stdout.write(`  ${c.cyan(a.name.padEnd(width))} ${a.description} ${c.dim(versions)}\n`);
    }
  };
  listAdapters('Adapters', adapters.filter((a) => !a.seededDefect));
  stdout.write('\n');
  listAdapters('Seeded defects (run only when named: --adapter reference-bug-*)', adapters.filter((a) => a.seededDefect));
  stdout.write('\n');
  listAdapters(`Python adapters (the Python driver, ${process.env[PYTHON_ENV] ?? 'python3'}; seeded defects python-bug-* run only when named)`, pythonAdapters);
  stdout.write(`\n${c.bold('Scenarios')}\n`);
  for (const s of scenarios) stdout.write(`  ${c.cyan(s.name.padEnd(20))} ${s.description}\n`);
  return EXIT.pass;
}


/** Imports every bundled adapter and scenario and reads what `list` prints of them. */
async function describeCatalogue(): Promise<Catalogue> {
  const [{ BUILTIN_ADAPTER_NAMES, isSeededDefect, resolveAdapter, resolveScenario, SCENARIO_NAMES }, python] = await Promise.all([
    import('../catalogue.js'),
    import('../../../adapters/python.js'),
  ]);
  const adapters = await Promise.all(
    BUILTIN_ADAPTER_NAMES.map(async (name) => {
      const a = await resolveAdapter(name, process.cwd());
      return {
        name: a.name,
        description: a.definition.description,
        seededDefect: isSeededDefect(a.name),
        capabilities: a.definition.capabilities,
        versions: (await a.definition.versions?.()) ?? {},
      };
    }),
  );
  const scenarios = await Promise.all(
    SCENARIO_NAMES.map(async (name) => {
      const s = await resolveScenario(name);
      return { name: s.name, description: s.description, failOn: [...s.failOn] };
    }),
  );
  const pythonAdapters = python.PYTHON_ADAPTER_NAMES.map((name) => ({
    name,
    path: fileURLToPath(python.pythonAdapterUrl(name)),
    seededDefect: python.isPythonSeededDefect(name),
  }));
  return { adapters, python: pythonAdapters, scenarios };
}

/**
 * Every module file and folder of the harness, the adapters and the scenarios, with its
 * signature now: the catalogue is whatever these files say, so any change (a rebuild, an
 * edited adapter) describes again. Folders are included so an added file is a change too.
 */
function sourceSignatures(signatureOf: (path: string) => FileSignature): Record<string, FileSignature> {
  const out: Record<string, FileSignature> = {};
  const walk = (dir: string): void => {
    out[dir] = signatureOf(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(?:js|ts|mjs|cjs|json)$/.test(e.name) && !e.name.endsWith('.d.ts')) out[path] = signatureOf(path);
    }
  };
  for (const dir of ['adapters', 'scenarios', 'harness']) walk(join(ROOT, dir));
  return out;
}

/** A cached catalogue of the shape `list` wrote, or undefined (a foreign or damaged entry is a miss). */
function asCatalogue(value: unknown): Catalogue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const c = value as Partial<Record<keyof Catalogue, unknown>>;
  const named = (list: unknown, more: (x: Record<string, unknown>) => boolean): boolean =>
    Array.isArray(list) && list.every((x: unknown) => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' && more(x as Record<string, unknown>));
  const ok =
    named(c.adapters, (a) => typeof a['description'] === 'string' && typeof a['capabilities'] === 'object' && typeof a['versions'] === 'object' && a['versions'] !== null) &&
    named(c.python, (p) => typeof p['path'] === 'string') &&
    named(c.scenarios, (s) => typeof s['description'] === 'string' && Array.isArray(s['failOn']));
  return ok ? (value as Catalogue) : undefined;
}
