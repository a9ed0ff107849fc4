/**
 * What every command shares: output streams captured at startup, option parsing with usage
 * errors, and resolving the adapters and scenarios a user named.
 */

import { join, resolve } from 'node:path';
import { DEFAULT_ADAPTER_NAMES, expandAdapterRefs } from '../../../adapters/index.js';
import { junitXml } from '../../../reports/junit.js';
import { markdownSummary } from '../../../reports/markdown.js';
import { SCENARIO_NAMES } from '../../../scenarios/index.js';
import { UsageError } from '../../contract/errors.js';
import { resolveAdapter, resolveScenario } from '../catalogue.js';
import type { ResolvedAdapter, ResolvedScenario } from '../../run/resolve.js';
import { exitCodeFor, nothingRan, type Report, type RunResult } from '../../contract/result.js';
import type { DescribeLimits } from '../../run/describe.js';
import { prepareOutDir, writeOrKeep } from '../output-paths.js';
import { PYTHON_ENV } from '../../util/python.js';

import { stderr, stdout } from './io.js';

export { parse, stderr, stdout, type Parsed } from './io.js';

export function splitList(values: string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return items.length > 0 ? items : undefined;
}

/**
 * `--python PATH`: the interpreter for Python adapters. Every run's process, benchmark process
 * and Python driver inherits it; a path is made absolute, since replay commands and files name
 * it and may be used from another folder.
 */
export function usePython(value: string | undefined): void {
  if (value === undefined) return;
  if (value.trim() === '') throw new UsageError('Expected `--python` to name a Python interpreter, e.g. /usr/bin/python3, got an empty string');
  process.env[PYTHON_ENV] = value.includes('/') ? resolve(value) : value;
}

/** The adapters (default: the bundled real loggers) and scenarios (default: all) a user named. */
export async function resolveTargets(
  adapterValues: string[] | undefined,
  scenarioValues: string[] | undefined,
  cwd: string | { readonly adapters: string; readonly scenarios: string },
  limits: DescribeLimits = {},
): Promise<{ adapters: ResolvedAdapter[]; scenarios: ResolvedScenario[] }> {
  // Paths from a config file are relative to it; paths from flags to the working directory.
  const dirs = typeof cwd === 'string' ? { adapters: cwd, scenarios: cwd } : cwd;
  const named = nonEmptyList(adapterValues, '--adapter');
  const refs = named === undefined ? DEFAULT_ADAPTER_NAMES : expandAdapterRefs(named);
  if (refs.length === 0) throw new UsageError(`Expected \`--adapter\` to match a bundled adapter, got \`${(adapterValues ?? []).join(', ')}\`. Run \`logjam list\` to see them.`);
  const adapters: ResolvedAdapter[] = [];
  for (const ref of refs) adapters.push(await resolveAdapter(ref, dirs.adapters, { explicit: named?.includes(ref) ?? true, limits }));
  const scenarios: ResolvedScenario[] = [];
  for (const name of nonEmptyList(scenarioValues, '--scenario') ?? SCENARIO_NAMES) scenarios.push(await resolveScenario(name, dirs.scenarios, limits));
  return { adapters, scenarios };
}

/**
 * The names a flag was given, or undefined when the flag was not given at all. A flag given
 * only empty names (`--adapter ''`) is a usage error: it must not quietly mean "the default".
 */
export function nonEmptyList(values: string[] | undefined, flag: string): string[] | undefined {
  if (values === undefined) return undefined;
  const items = splitList(values);
  if (items === undefined) throw new UsageError(`Expected \`${flag}\` to name at least one ${flag === '--adapter' ? 'adapter' : 'scenario'}, got \`${values.join(',')}\`; leave the flag out to use the default set`);
  return items;
}

export interface WrittenReport {
  readonly json: string;
  readonly junit: string;
  readonly markdown: string;
}

/**
 * Writes the result model and its JUnit and Markdown views into `dir` (checked before the runs
 * with `prepareOutDir`). A file that cannot be written goes to a fallback it names instead.
 */
export function writeReportFiles(report: Report, dir: string, title?: string): WrittenReport {
  let out = join(dir);
  try {
    out = prepareOutDir(dir, '--out');
  } catch {
    // Checked before the runs; if it broke since, each file finds its fallback below.
  }
  const say = (line: string): void => stderr.write(line);
  return {
    json: writeOrKeep(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`, say, (t) => stdout.write(t)),
    junit: writeOrKeep(join(out, 'junit.xml'), junitXml(report), say, (t) => stdout.write(t)),
    markdown: writeOrKeep(join(out, 'summary.md'), markdownSummary(report, title), say, (t) => stdout.write(t)),
  };
}

export function requireNonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`Expected \`${flag}\` to name a file or folder, got an empty string`);
  return value;
}

/** The suite's exit code (exitCodeFor), saying why when nothing ran. */
export function suiteExitCode(runs: readonly RunResult[]): number {
  if (nothingRan(runs) && !runs.some((r) => r.status === 'error' || r.status === 'fail')) {
    const why = runs.length === 0 ? 'no run was planned' : `all ${runs.length} planned runs were skipped (first: ${runs[0]?.reason ?? 'no reason given'})`;
    stderr.write(`logjam: no run executed: ${why}. A suite that ran nothing does not pass; choose adapters and scenarios that apply, or raise --budget.\n`);
  }
  return exitCodeFor(runs);
}
