/**
 * The release search of `logjam bisect` on a fixture registry: a list of published versions
 * (prereleases included, as npm lists them) and a run function that plays a logger whose bug is
 * fixed, or introduced, at a known release, deterministically or at a rate. Real releases and
 * real runs are the CLI's part (`logjam bisect`, see README).
 */

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/contract/errors.js';
import { findingSignature, signatureKey } from '../../harness/contract/signature.js';
import { bisect, compareVersions, detection, parseRange, UnusableRelease, versionsInRange, wilsonLower, type BisectRun } from '../../harness/run/bisect.js';

const PUBLISHED = ['1.0.0', '1.0.1', '1.1.0', '1.2.0-rc.1', '1.2.0', '1.3.0', '1.3.1', '1.4.0', '2.0.0-beta.0', '2.0.0', '2.0.1', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.4.1', '3.0.0'];
const TARGET = 'unhandled-error@exit-listener(throws-in-exit)';
const OTHER = 'exit-loss@exit-listener';

/** A logger whose bug shows on `seed` at releases `buggy(version)`, on the seeds `shows(seed)`. */
function fixtureLogger(buggy: (version: string) => boolean, shows: (seed: number) => boolean = () => true) {
  const calls: { version: string; seed: number }[] = [];
  const run = (version: string, seed: number): Promise<BisectRun> => {
    calls.push({ version, seed });
    const failing = [OTHER, ...(buggy(version) && shows(seed) ? [TARGET] : [])];
    return Promise.resolve({ status: 'fail', failing, replay: `npx logjam run --seed ${seed} --logger-version fixture@${version}` });
  };
  return { run, calls };
}

const range = parseRange('fixture@1.0.0..3.0.0');
const versions = versionsInRange(PUBLISHED, range);

describe('the release list', () => {
  it('keeps the releases of the range in order, without prereleases', () => {
    expect(versions).toEqual(['1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.3.0', '1.3.1', '1.4.0', '2.0.0', '2.0.1', '2.1.0', '2.2.0', '2.3.0', '2.4.0', '2.4.1', '3.0.0']);
    expect(compareVersions('2.0.0-beta.0', '2.0.0')).toBeLessThan(0);
    expect(compareVersions('10.0.0', '9.9.9')).toBeGreaterThan(0);
  });

  it('refuses a range end that was never published, naming releases of that major', () => {
    expect(() => versionsInRange(PUBLISHED, parseRange('fixture@1.0.0..2.9.0'))).toThrow(/fixture@2\.9\.0 to be a published release.*2\.4\.1/);
  });

  it('refuses a malformed or backwards range with the form it expects', () => {
    expect(() => parseRange('pino@9..10')).toThrow(UsageError);
    expect(() => parseRange('pino@10.4.0..9.0.0')).toThrow(/older than its last/);
  });
});

describe('bisect', () => {
  it('finds the release where a deterministic bug was fixed, trying a logarithmic number of releases with the same seeds', async () => {
    const logger = fixtureLogger((v) => compareVersions(v, '2.1.0') < 0);
    const outcome = await bisect({ versions, run: logger.run, seed: 7, kind: 'unhandled-error' });
    expect(outcome.outcome).toBe('found');
    if (outcome.outcome !== 'found') return;
    expect(outcome.direction).toBe('fixed');
    expect(outcome.target).toBe(TARGET);
    expect(outcome.lastOld.version).toBe('2.0.1');
    expect(outcome.firstNew.version).toBe('2.1.0');
    // 15 releases: the two ends and at most ceil(log2(14)) = 4 between them.
    expect(outcome.tried.length).toBeLessThanOrEqual(6);
    // Every release is run with the same seeds, 7, 8, ...: like is compared with like.
    for (const c of outcome.tried) {
      expect(logger.calls.filter((call) => call.version === c.version).map((call) => call.seed)).toEqual(Array.from({ length: c.runs }, (_, i) => 7 + i));
    }
    expect(outcome.lastOld).toMatchObject({ verdict: 'present', matching: 3, runs: 3, confidence: 1 });
    // Present in 3 of 3 at the buggy end: an absent verdict needs 6 clean runs for 95 %.
    expect(outcome.firstNew).toMatchObject({ verdict: 'absent', matching: 0, runs: 6 });
    expect(outcome.firstNew.confidence).toBeGreaterThanOrEqual(0.95);
    expect(outcome.lastOld.replay).toContain('fixture@2.0.1');
    expect(outcome.firstNew.replay).toContain('fixture@2.1.0');
  });

  it('runs a flaky finding longer before it calls a release clean, and still finds where it was introduced', async () => {
    // Shows on one seed in two at the releases that have it.
    const logger = fixtureLogger((v) => compareVersions(v, '1.3.1') >= 0, (seed) => seed % 2 === 0);
    const outcome = await bisect({ versions, run: logger.run, seed: 1, minRuns: 4, maxRuns: 40, kind: 'unhandled-error' });
    expect(outcome.outcome).toBe('found');
    if (outcome.outcome !== 'found') return;
    expect(outcome.direction).toBe('introduced');
    expect(outcome.lastOld.version).toBe('1.3.0');
    expect(outcome.firstNew.version).toBe('1.3.1');
    expect(outcome.lastOld.verdict).toBe('absent');
    expect(outcome.lastOld.runs).toBeGreaterThan(6);
    expect(outcome.lastOld.confidence).toBeGreaterThanOrEqual(0.95);
    expect(outcome.firstNew.matching / outcome.firstNew.runs).toBeCloseTo(0.5, 1);
  });

  it('says nothing changed when the finding is there at both ends', async () => {
    const logger = fixtureLogger(() => true);
    const outcome = await bisect({ versions, run: logger.run, kind: 'unhandled-error' });
    expect(outcome.outcome).toBe('no-change');
    expect(outcome.tried.map((c) => c.version)).toEqual(['1.0.0', '3.0.0']);
  });

  it('says there is nothing to follow when no run failed with a finding of the asked kind', async () => {
    const logger = fixtureLogger(() => false);
    const outcome = await bisect({ versions, run: logger.run, kind: 'unhandled-error' });
    expect(outcome.outcome).toBe('no-finding');
  });

  it('follows the signature that differs between the ends when no kind is named', async () => {
    const logger = fixtureLogger((v) => compareVersions(v, '2.0.0') < 0);
    const outcome = await bisect({ versions, run: logger.run });
    expect(outcome.outcome === 'found' && outcome.target).toBe(TARGET);
  });

  it('runs again in place of a skipped or errored run, and stops on a release no run can read', async () => {
    let errored = 0;
    const flakyHarness = (version: string, seed: number): Promise<BisectRun> => {
      if (version === '1.4.0' && errored++ < 2) return Promise.resolve({ status: 'error', failing: [], replay: 'x', reason: 'harness error' });
      return fixtureLogger((v) => compareVersions(v, '1.4.0') < 0).run(version, seed);
    };
    const outcome = await bisect({ versions, run: flakyHarness, kind: 'unhandled-error' });
    expect(outcome.outcome === 'found' && outcome.firstNew).toMatchObject({ version: '1.4.0', unusable: 2, runs: 6 });

    const dead = (version: string, seed: number): Promise<BisectRun> =>
      version === '3.0.0' ? Promise.resolve({ status: 'skip', failing: [], replay: 'x', reason: 'not supported' }) : fixtureLogger(() => true).run(version, seed);
    await expect(bisect({ versions, run: dead, maxRuns: 5 })).rejects.toBeInstanceOf(UnusableRelease);
  });
});

describe('confidence', () => {
  it('bounds a measured rate from below and says how likely n runs were to show it', () => {
    expect(wilsonLower(3, 3)).toBeCloseTo(0.438, 2);
    expect(wilsonLower(0, 5)).toBe(0);
    expect(detection(wilsonLower(3, 3), 6)).toBeGreaterThan(0.95);
    expect(detection(wilsonLower(3, 3), 5)).toBeLessThan(0.95);
  });
});

describe('finding signatures', () => {
  it('names kind, scenario and how, and leaves counts in messages out', () => {
    const a = findingSignature('exit-listener', { kind: 'unhandled-error', severity: 'error', message: '3 calls threw', evidence: { signature: 'throws-in-exit' } });
    const b = findingSignature('exit-listener', { kind: 'unhandled-error', severity: 'error', message: '7 calls threw', evidence: { signature: 'throws-in-exit', seq: 4 } });
    expect(signatureKey(a)).toBe(TARGET);
    expect(signatureKey(b)).toBe(signatureKey(a));
    expect(signatureKey(findingSignature('steady', { kind: 'crash', severity: 'error', message: 'x', evidence: { cause: 'out-of-memory' } }))).toBe('crash@steady(out-of-memory)');
  });
});
