/**
 * `logjam findings REPORT.json [--out FINDINGS.md]`: writes FINDINGS.md from a report (of
 * `logjam run`, `ci`, `merge-reports` or `compare`): per adapter and scenario, what was found,
 * its rate, its evidence, its replay command and the upstream issue it matches.
 */

import { parseWith, ReportSchema } from '../../contract/schemas.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';
import { BUILTIN_ADAPTER_NAMES } from '../../../adapters/index.js';
import { PYTHON_ADAPTER_NAMES, pythonAdapterUrl } from '../../../adapters/python.js';
import { describePythonAdapters } from '../../util/python.js';
import { findingsMarkdown } from '../../../reports/findings.js';
import { SCENARIO_NAMES } from '../../../scenarios/index.js';
import { UsageError } from '../../contract/errors.js';
import { resolveAdapter, resolveScenario } from '../catalogue.js';
import { EXIT, type FindingKind, type Report } from '../../contract/result.js';
import { parse, stderr, stdout } from './io.js';
import { upstreamFor } from '../../../reports/upstream.js';
import { reproductionsFor, reproMarkdown, reproRoot, standaloneFor } from '../repro.js';

const OPTIONS = {
  out: { type: 'string' },
  'repro-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam findings REPORT.json [--out FILE]

Writes the findings of a report (the --json of \`logjam run\`, \`ci\` or \`merge-reports\`) as
Markdown: per adapter and scenario, each finding's rate over the runs, its evidence, the
command that replays it, and the upstream issue it matches (or "seems new" with a minimal
reproduction).

  --out FILE        write to FILE (default: print to stdout)
  --repro-dir DIR   copy the standalone reproduction of each finding that has one (a script
                    using the logger alone) into DIR; FINDINGS.md names them either way

The findings on real loggers that have no standalone script yet are listed on stderr (not
those the scenario provokes on purpose, such as a crash's loss).
`;

/**
 * The adapter × scenario: kind of each finding on a real logger (one whose run loaded a versioned
 * logger) that FINDINGS.md lists with no standalone script beside it. Findings the scenario
 * provokes on purpose (a crash's loss, triaged `expected`) are not the logger's to reproduce.
 */
function withoutScript(report: Report, standalone: (adapter: string, scenario: string, kind: FindingKind) => string | undefined): string[] {
  const out = new Set<string>();
  for (const run of report.runs) {
    // A skipped run was not judged (a deadline too short, a collector sharing the process): its findings are not the logger's.
    if (Object.keys(run.versions ?? {}).length === 0 || run.status === 'skip') continue;
    for (const f of run.findings) {
      if (f.severity === 'info' || standalone(run.adapter, run.scenario, f.kind) !== undefined) continue;
      if (upstreamFor(run.adapter, run.scenario, f, run.params)?.triage === 'expected') continue;
      out.add(`${run.adapter} × ${run.scenario}: ${f.kind}${run.status === 'fail' && f.severity === 'error' ? '' : ' (fact)'}`);
    }
  }
  return [...out].sort();
}

export const findingsCommand = {
  run: findings,
};

async function findings(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, 'findings', true);
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) {
    throw new UsageError(`Expected one report file, e.g. \`logjam findings logjam-report.json\`; got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
  }
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`Expected ${file} to be a report written with --json, but ${path} does not exist`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    throw new UsageError(`Expected ${file} to be a JSON report: ${error instanceof Error ? error.message : String(error)}`);
  }
  const report = parseWith(ReportSchema, value, `The report ${file}`, 'Pass a report written by `logjam run --json FILE` or `logjam ci`, unchanged.') as Report;
  const adapterDescriptions: Record<string, string> = {};
  for (const name of BUILTIN_ADAPTER_NAMES) adapterDescriptions[name] = (await resolveAdapter(name, process.cwd())).definition.description;
  // The bundled Python adapters the report ran, described by the Python driver (the report's
  // interpreter is not known here; without one, their sections go without a description).
  const python = PYTHON_ADAPTER_NAMES.filter((name) => report.runs.some((r) => r.adapter === name));
  if (python.length > 0) {
    const described = await describePythonAdapters(python.map((name) => fileURLToPath(pythonAdapterUrl(name))));
    for (const name of python) {
      const d = described.get(fileURLToPath(pythonAdapterUrl(name)));
      if (d?.ok === true) adapterDescriptions[name] = d.description.description;
    }
  }
  const scenarioDescriptions: Record<string, string> = {};
  for (const name of SCENARIO_NAMES) scenarioDescriptions[name] = (await resolveScenario(name)).description;
  const matched = reproductionsFor(report);
  const reproDir = values['repro-dir'];
  if (reproDir !== undefined) {
    mkdirSync(resolve(reproDir), { recursive: true });
    for (const m of matched) copyFileSync(join(reproRoot(), m.reproduction.script), join(resolve(reproDir), m.reproduction.script));
  }
  const folder = reproDir ?? 'repro';
  const standalone = (adapter: string, scenario: string, kind: FindingKind): string | undefined => standaloneFor(adapter, scenario, kind, folder);
  const markdown = findingsMarkdown(report, { adapterDescriptions, scenarioDescriptions, standalone }) + reproMarkdown(matched, folder);
  const without = withoutScript(report, standalone);
  if (without.length > 0) {
    stderr.write(`logjam: ${without.length} finding(s) on real loggers have no standalone script yet (repro/, harness/cli/repro.ts):\n${without.map((w) => `  ${w}\n`).join('')}`);
  }
  if (values.out !== undefined) {
    writeFileSync(resolve(values.out), markdown);
    stdout.write(`logjam: wrote ${values.out} (${report.runs.length} runs)\n`);
  } else {
    stdout.write(markdown);
  }
  return EXIT.pass;
}
