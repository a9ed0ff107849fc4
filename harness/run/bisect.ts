/**
 * The search behind `logjam bisect`: given the releases of a package in order and a way to run
 * the scenario against one of them, find the first release where a finding's verdict changes
 * (a fix landed, or a regression did), running each candidate often enough to state its verdict
 * with a confidence. Pure over its two inputs (the version list and the run function), so the
 * search is tested on a fixture registry; the CLI supplies npm and real runs.
 *
 * A candidate's verdict is about one finding signature (kind, scenario, how; see
 * contract/signature.ts), the target, picked from the runs at the two ends: a run matches when
 * it failed with that signature. "present" needs one matching run (logjam's findings are facts,
 * not guesses); "absent" needs enough runs that a bug with the rate measured at the present end
 * would have shown, with the asked confidence: 1 - (1 - p)^n, p the Wilson lower bound (95 %) of
 * that rate, so a flaky finding is run more and a deterministic one barely.
 */

import { UsageError } from '../contract/errors.js';

export interface VersionRange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;
const RANGE = /^((?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*)@(\d+\.\d+\.\d+)\.\.(\d+\.\d+\.\d+)$/;

/** Parses `pino@9.0.0..10.4.0`: a package and two exact releases, oldest first. */
export function parseRange(value: string): VersionRange {
  const m = RANGE.exec(value.trim());
  if (m === null) {
    throw new UsageError(`Expected a release range as NAME@FROM..TO with exact versions, e.g. pino@9.0.0..10.4.0 or thread-stream@1.0.0..2.7.0; got \`${value}\``);
  }
  const range = { name: m[1] ?? '', from: m[2] ?? '', to: m[3] ?? '' };
  if (compareVersions(range.from, range.to) >= 0) {
    throw new UsageError(`Expected the range's first release to be older than its last, got ${range.from}..${range.to}; write the older one first`);
  }
  return range;
}

/** Orders two semver versions; prereleases sort before their release (enough for npm lists). */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION.exec(a);
  const pb = VERSION.exec(b);
  if (pa === null || pb === null) throw new Error(`cannot compare versions \`${a}\` and \`${b}\`: this is a harness bug`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  if (pa[4] === pb[4]) return 0;
  if (pa[4] === undefined) return 1;
  if (pb[4] === undefined) return -1;
  return pa[4] < pb[4] ? -1 : 1;
}

/**
 * The releases from `range.from` to `range.to` inclusive, oldest first, prereleases left out.
 * Both ends must be published: a typo should not silently bisect something else.
 */
export function versionsInRange(published: readonly string[], range: VersionRange): string[] {
  for (const end of [range.from, range.to]) {
    if (!published.includes(end)) {
      const near = published.filter((v) => v.split('.')[0] === end.split('.')[0]).slice(-5);
      throw new UsageError(`Expected ${range.name}@${end} to be a published release, but the registry does not list it${near.length > 0 ? ` (releases of that major: ${near.join(', ')})` : ''}`);
    }
  }
  return published
    .filter((v) => VERSION.test(v) && VERSION.exec(v)?.[4] === undefined)
    .filter((v) => compareVersions(v, range.from) >= 0 && compareVersions(v, range.to) <= 0)
    .sort(compareVersions);
}

/** What one run of the scenario against one release said. */
export interface BisectRun {
  /** Signature keys (contract/signature.ts) of the findings that failed the run. */
  readonly failing: readonly string[];
  readonly status: 'pass' | 'fail' | 'skip' | 'error';
  /** The command that replays this run against this release. */
  readonly replay: string;
  /** Why it was skipped or errored. */
  readonly reason?: string;
}

export interface BisectOptions {
  /** Releases, oldest first (at least two). */
  readonly versions: readonly string[];
  /** Runs the scenario once against `version` with `seed`. */
  readonly run: (version: string, seed: number) => Promise<BisectRun>;
  /** Seeds of a candidate's runs: seed, seed + 1, ...; the same for every candidate. @defaultValue 1 */
  readonly seed?: number;
  /** Runs per candidate before its verdict is read. @defaultValue 3 */
  readonly minRuns?: number;
  /** Most runs per candidate while an absent verdict is below the confidence. @defaultValue 12 */
  readonly maxRuns?: number;
  /** Confidence an absent verdict must reach. @defaultValue 0.95 */
  readonly confidence?: number;
  /** Only findings of this kind are targets. */
  readonly kind?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface Candidate {
  readonly version: string;
  /** Runs that said something about the logger (passed or failed). */
  readonly runs: number;
  /** Runs that failed with the target signature. */
  readonly matching: number;
  readonly verdict: 'present' | 'absent';
  /** 1 for present; for absent, the chance a bug at the present end's rate would have shown. */
  readonly confidence: number;
  /** Every failing signature seen, with how many runs showed it. */
  readonly signatures: Readonly<Record<string, number>>;
  /** Replays one run on this release: a matching one where there is one. */
  readonly replay: string;
  /** Runs that were skipped or ended in a harness error: not counted in `runs`, run again instead. */
  readonly unusable: number;
  readonly reasons: readonly string[];
}

export type BisectOutcome =
  | { readonly outcome: 'found'; readonly target: string; readonly direction: 'fixed' | 'introduced'; readonly lastOld: Candidate; readonly firstNew: Candidate; readonly tried: readonly Candidate[]; readonly versions: readonly string[] }
  | { readonly outcome: 'no-change'; readonly target: string; readonly tried: readonly Candidate[]; readonly versions: readonly string[] }
  | { readonly outcome: 'no-finding'; readonly tried: readonly Candidate[]; readonly versions: readonly string[] };

/** Lower bound of the Wilson score interval at 95 % for k successes in n trials. */
export function wilsonLower(k: number, n: number): number {
  if (n === 0) return 0;
  const z = 1.96;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + (z * z) / n));
}

/** The chance that `n` runs of a bug showing at rate `p` would have shown it at least once. */
export const detection = (p: number, n: number): number => 1 - (1 - p) ** n;

interface Tally {
  readonly version: string;
  runs: BisectRun[];
}

export async function bisect(options: BisectOptions): Promise<BisectOutcome> {
  const versions = options.versions;
  if (versions.length < 2) throw new UsageError(`Expected at least two releases to bisect, got ${versions.length === 0 ? 'none' : versions.join(', ')}`);
  const seed = options.seed ?? 1;
  const minRuns = options.minRuns ?? 3;
  const maxRuns = Math.max(minRuns, options.maxRuns ?? 12);
  const wanted = options.confidence ?? 0.95;
  const log = options.log ?? (() => undefined);
  const tallies = new Map<string, Tally>();
  const order: string[] = [];

  const runMore = async (version: string, upTo: number): Promise<Tally> => {
    let t = tallies.get(version);
    if (t === undefined) {
      t = { version, runs: [] };
      tallies.set(version, t);
      order.push(version);
    }
    while (t.runs.length < upTo) {
      const r = await options.run(version, seed + t.runs.length);
      t.runs.push(r);
      log(`  ${version} seed ${seed + t.runs.length - 1}: ${r.status}${r.failing.length > 0 ? ` (${r.failing.join(', ')})` : ''}${r.reason !== undefined ? ` - ${r.reason}` : ''}\n`);
    }
    return t;
  };
  const matching = (t: Tally, target: string): number => t.runs.filter((r) => r.failing.includes(target)).length;
  const usable = (t: Tally): number => t.runs.filter(isUsable).length;

  const first = versions[0] as string;
  const last = versions[versions.length - 1] as string;
  log(`probing the ends: ${first} and ${last}\n`);
  const ends = [await runMore(first, minRuns), await runMore(last, minRuns)];

  // The target: the failing signature (of the asked kind) whose rate differs most between the ends.
  const counts = (t: Tally): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of t.runs) for (const key of new Set(r.failing)) if (options.kind === undefined || key.startsWith(`${options.kind}@`)) m.set(key, (m.get(key) ?? 0) + 1);
    return m;
  };
  const [oldCounts, newCounts] = ends.map(counts) as [Map<string, number>, Map<string, number>];
  const keys = [...new Set([...oldCounts.keys(), ...newCounts.keys()])];
  if (keys.length === 0) return { outcome: 'no-finding', tried: order.map((v) => candidateOf(tallies.get(v) as Tally, undefined, 1)), versions };
  const diff = (k: string): number => Math.abs((oldCounts.get(k) ?? 0) - (newCounts.get(k) ?? 0));
  const target = [...keys].sort((a, b) => diff(b) - diff(a) || (oldCounts.get(b) ?? 0) + (newCounts.get(b) ?? 0) - (oldCounts.get(a) ?? 0) - (newCounts.get(a) ?? 0) || a.localeCompare(b))[0] as string;
  log(`target: ${target}\n`);

  // The rate that an absent verdict is measured against: the present end's, at its lower bound.
  let rate = 0;
  const refreshRate = (): void => {
    let best = 0;
    for (const t of tallies.values()) {
      const k = matching(t, target);
      if (k > 0) best = Math.max(best, wilsonLower(k, usable(t)));
    }
    rate = best;
  };
  refreshRate();

  /** Runs `version` until its verdict holds: one matching run, or an absent verdict at the confidence. */
  const judge = async (version: string): Promise<Candidate> => {
    let t = await runMore(version, minRuns);
    // Skipped and errored runs say nothing about the logger: run more in their place.
    while (t.runs.length < maxRuns && (usable(t) < minRuns || (matching(t, target) === 0 && detection(rate, usable(t)) < wanted))) {
      t = await runMore(version, t.runs.length + 1);
      refreshRate();
    }
    refreshRate();
    if (usable(t) === 0) throw new UnusableRelease(candidateOf(t, target, rate));
    return candidateOf(t, target, rate);
  };

  let lo = 0;
  let hi = versions.length - 1;
  const oldEnd = await judge(first);
  const newEnd = await judge(last);
  if (oldEnd.verdict === newEnd.verdict) {
    return { outcome: 'no-change', target, tried: order.map((v) => candidateOf(tallies.get(v) as Tally, target, rate)), versions };
  }
  const oldVerdict = oldEnd.verdict;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const version = versions[mid] as string;
    log(`trying ${version} (${hi - lo - 1} releases left between ${versions[lo]} and ${versions[hi]})\n`);
    const c = await judge(version);
    if (c.verdict === oldVerdict) lo = mid;
    else hi = mid;
  }
  const tried = order.map((v) => candidateOf(tallies.get(v) as Tally, target, rate));
  const byVersion = (v: string): Candidate => tried.find((c) => c.version === v) as Candidate;
  return {
    outcome: 'found',
    target,
    direction: oldVerdict === 'present' ? 'fixed' : 'introduced',
    lastOld: byVersion(versions[lo] as string),
    firstNew: byVersion(versions[hi] as string),
    tried,
    versions,
  };
}

function candidateOf(t: Tally, target: string | undefined, rate: number): Candidate {
  const signatures: Record<string, number> = {};
  for (const r of t.runs) for (const key of new Set(r.failing)) signatures[key] = (signatures[key] ?? 0) + 1;
  const matchingRuns = target === undefined ? [] : t.runs.filter((r) => r.failing.includes(target));
  const unusable = t.runs.filter((r) => !isUsable(r));
  return {
    version: t.version,
    runs: t.runs.length - unusable.length,
    matching: matchingRuns.length,
    verdict: matchingRuns.length > 0 ? 'present' : 'absent',
    confidence: matchingRuns.length > 0 ? 1 : detection(rate, t.runs.length - unusable.length),
    signatures,
    replay: (matchingRuns[0] ?? t.runs[0])?.replay ?? '',
    unusable: unusable.length,
    reasons: [...new Set(unusable.map((r) => r.reason ?? r.status))],
  };
}

const isUsable = (r: BisectRun): boolean => r.status === 'pass' || r.status === 'fail';

/** A release on which no run could be read (every run skipped or errored): the search cannot go on. */
export class UnusableRelease extends Error {
  readonly candidate: Candidate;
  constructor(candidate: Candidate) {
    super(`No run against ${candidate.version} could be read (${candidate.reasons.join('; ')}): the adapter may not support that release; narrow the range`);
    this.name = 'UnusableRelease';
    this.candidate = candidate;
  }
}
