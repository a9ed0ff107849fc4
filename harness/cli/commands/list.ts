/**
 * `logjam list`: the bundled adapters (with the logger versions they load) and scenarios.
 * Its help loads nothing; the listing loads the catalogue, each adapter's definition and the
 * reporters' colours only when it prints them.
 */

import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { EXIT } from '../../contract/result.js';
import { parse, stdout } from './shared.js';
import { pinLoggerVersions } from './pins.js';

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
  const [{ BUILTIN_ADAPTER_NAMES, isSeededDefect, resolveAdapter, resolveScenario, SCENARIO_NAMES }, { chalkFor }, python, { describePythonAdapters, PYTHON_ENV }] = await Promise.all([
    import('../catalogue.js'),
    import('../../../reports/terminal.js'),
    import('../../../adapters/python.js'),
    import('../../util/python.js'),
  ]);
  // Described by the Python driver in one interpreter, started first so it runs while the JS
  // adapters load; with none, listed with the reason their runs skip.
  const pythonPaths = python.PYTHON_ADAPTER_NAMES.map((name) => fileURLToPath(python.pythonAdapterUrl(name)));
  const describing = describePythonAdapters(pythonPaths);
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
  const described = await describing;
  const pythonAdapters = python.PYTHON_ADAPTER_NAMES.map((name, i) => {
    const d = described.get(pythonPaths[i] ?? '');
    const ok = d?.ok === true ? d.description : undefined;
    return {
      name,
      description: ok !== undefined ? `${ok.description}${ok.unavailable !== undefined ? ` (skipped here: ${ok.unavailable})` : ''}` : `(not available: ${d?.ok === false ? d.message : 'no answer'})`,
      seededDefect: python.isPythonSeededDefect(name),
      ...(ok !== undefined ? { capabilities: ok.capabilities } : {}),
      versions: ok?.versions ?? {},
    };
  });
  const scenarios = await Promise.all(
    SCENARIO_NAMES.map(async (name) => {
      const s = await resolveScenario(name);
      return { name: s.name, description: s.description, failOn: s.failOn };
    }),
  );
  if (values.json === true) {
    stdout.write(`${JSON.stringify({ adapters, pythonAdapters, scenarios }, null, 2)}\n`);
    return EXIT.pass;
  }
  const c = chalkFor(stdout, process.env);
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

