/**
 * A scenario's parameters are a fast-check arbitrary. A run's parameters are the arbitrary's
 * first value for the run's seed, so `--seed` alone replays them; a failing run shrinks them
 * with fast-check's own shrinker, and the shrunk value is named by the seed and fast-check's
 * `path`, as `fc.assert` prints them.
 *
 * Values are drawn without fast-check's small-value bias: a run's load should be the load its
 * bounds describe, and shrinking is what finds the small case.
 */

import fc, { type Arbitrary } from 'fast-check';
import { UsageError } from '../contract/errors.js';
import { deriveSeed } from '../util/random.js';
import type { Preemption, ScheduleMode, ScheduleSpec } from '../contract/schedule-spec.js';

/** The schedule of a controlled run, as fast-check generates and shrinks it. */
export const preemptionsArbitrary: fc.Arbitrary<Preemption[]> = fc
  .array(fc.record({ at: fc.nat({ max: 400 }), pick: fc.nat({ max: 7 }) }), { maxLength: 6 })
  .map((list) => [...list].sort((a, b) => a.at - b.at));

/** The parameters of the run with this seed, or the shrunk value that `path` names. */
export function paramsFor<P>(arbitrary: Arbitrary<P>, seed: number, path?: string): P {
  let value: P | undefined;
  try {
    [value] = fc.sample(fc.noBias(arbitrary), { seed, numRuns: 1, ...(path !== undefined && path !== '' ? { path } : {}) });
  } catch {
    value = undefined;
  }
  if (value === undefined) {
    throw new UsageError(`Expected the path \`${path ?? ''}\` to name a value of this scenario's parameters for seed ${seed}; it names none. Copy the path exactly as logjam printed it.`);
  }
  return assertJson(value);
}

export interface ShrinkOutcome<P> {
  /** The smallest parameters that still failed. */
  readonly params: P;
  /** fast-check's path to them from the seed: `paramsFor(arbitrary, seed, path)` gives them back. */
  readonly path: string;
  /** Runs spent shrinking, the first (the re-run of the original failure) included. */
  readonly runs: number;
  readonly shrinks: number;
}

export interface ShrinkOptions {
  /** Most candidates to try (a failing candidate is run twice). @default 60 */
  readonly maxRuns?: number;
  /** Wall-time budget. @default 180000 */
  readonly timeMs?: number;
}

/**
 * Shrinks the failing parameters of the run with `seed`. `stillFails` runs the scenario with a
 * candidate and says whether it failed the same way. Returns undefined when the original
 * parameters did not fail again (a failure that does not reproduce cannot be shrunk).
 */
export async function shrinkParams<P>(
  arbitrary: Arbitrary<P>,
  seed: number,
  stillFails: (params: P) => Promise<boolean>,
  options: ShrinkOptions = {},
): Promise<ShrinkOutcome<P> | undefined> {
  const maxRuns = options.maxRuns ?? 60;
  let runs = 0;
  const started = performance.now();
  const details = await fc.check(
    fc.asyncProperty(fc.limitShrink(fc.noBias(arbitrary), maxRuns), async (params) => {
      // Out of budget: pretend candidates pass, so fast-check keeps the smallest failure so far.
      if (runs >= maxRuns || performance.now() - started > (options.timeMs ?? 180_000)) return true;
      runs++;
      return !(await stillFails(params));
    }),
    { seed, numRuns: 1 },
  );
  if (!details.failed || details.counterexample === null || details.counterexamplePath === null) return undefined;
  return { params: details.counterexample[0], path: details.counterexamplePath, runs, shrinks: details.numShrinks };
}

/** Parameters cross to the run's process as JSON, so they must survive it unchanged. */
function assertJson<P>(value: P): P {
  const text = JSON.stringify(value);
  if (text === undefined || JSON.stringify(JSON.parse(text)) !== text) {
    throw new TypeError(`A scenario's parameters must be plain JSON (numbers, strings, booleans, arrays, objects); got ${String(text)}`);
  }
  return value;
}

/** What a run is given: the scenario's parameters, and its schedule when it has one. */
export interface RunValue {
  readonly params: unknown;
  readonly schedule?: ScheduleSpec;
}

/**
 * The arbitrary a run's value comes from. In a controlled run the schedule (its preemptions) is
 * part of the value, so shrinking shrinks the thread schedule together with the parameters.
 */
export function runArbitrary(params: Arbitrary<unknown>, mode: ScheduleMode, seed: number): Arbitrary<RunValue> {
  if (mode === 'controlled') {
    // The schedule first: fast-check shrinks a record's fields in order, and the fewest
    // preemptions is the most telling part of a shrunk thread schedule.
    return fc
      .record({ preemptions: preemptionsArbitrary, params })
      .map(({ params: p, preemptions }) => ({ params: p, schedule: { mode: 'controlled' as const, preemptions } }));
  }
  if (mode === 'pct') return params.map((p) => ({ params: p, schedule: { mode: 'pct' as const, seed: deriveSeed(seed, 0x5c4ed), depth: 3 } }));
  return params.map((p) => ({ params: p }));
}

/**
 * Checks parameters read from a file (a replay) against the scenario's own arbitrary before a
 * run gets them: a value the arbitrary could not have generated (a count outside its bounds, a
 * string where a number goes) is a usage error naming the field, not a RangeError, a vacuous
 * pass or a run that writes a gigabyte. fast-check answers exactly for arbitraries it can
 * invert (`canShrinkWithoutContext`: integers, records, constants, arrays, and maps given an
 * unmapper, which every bundled scenario is); for one it cannot, the shape is compared with a
 * value the arbitrary generates: the same fields, each of the same type.
 */
export function checkParams(arbitrary: Arbitrary<unknown>, params: unknown, where: string): void {
  if (arbitrary.canShrinkWithoutContext(params)) return;
  const [sample] = fc.sample(fc.noBias(arbitrary), { seed: 1, numRuns: 1 });
  const invertible = arbitrary.canShrinkWithoutContext(sample);
  const mismatch = shapeMismatch(sample, params, 'params');
  if (mismatch !== undefined) {
    throw new UsageError(`${where}: ${mismatch}. Write a fresh replay file by re-running the failing command.`);
  }
  if (invertible) {
    // Same shape, yet not a value of the arbitrary: some field is outside its bounds.
    const outside = outOfBounds(arbitrary, sample, params);
    throw new UsageError(
      `${where}: \`params\` are not a value this scenario generates${outside !== undefined ? `: ${outside}` : ''} (a field outside its bounds). Expected values like ${JSON.stringify(sample)}. Write a fresh replay file by re-running the failing command.`,
    );
  }
}

/** Where `found` differs in shape from `expected`: a missing or extra field, or another type. */
function shapeMismatch(expected: unknown, found: unknown, at: string): string | undefined {
  const type = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (type(expected) !== type(found)) return `\`${at}\` expected ${type(expected)}, found ${type(found)} (${JSON.stringify(found)?.slice(0, 60) ?? String(found)})`;
  if (type(expected) === 'number' && !Number.isFinite(found)) return `\`${at}\` expected a finite number, found ${String(found)}`;
  if (type(expected) !== 'object') return undefined;
  const e = expected as Record<string, unknown>;
  const f = found as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!(key in f)) return `\`${at}.${key}\` expected ${type(e[key])}, found nothing`;
    const inner = shapeMismatch(e[key], f[key], `${at}.${key}`);
    if (inner !== undefined) return inner;
  }
  const extra = Object.keys(f).find((k) => !(k in e));
  return extra !== undefined ? `\`${at}.${extra}\` is not a parameter of this scenario (expected only ${Object.keys(e).join(', ')})` : undefined;
}

/** The first field that, set to the sample's value, makes `params` a value of the arbitrary. */
function outOfBounds(arbitrary: Arbitrary<unknown>, sample: unknown, params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const p = params as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (arbitrary.canShrinkWithoutContext({ ...p, [key]: s[key] })) return `\`params.${key}\` = ${JSON.stringify(p[key])} is outside what the scenario generates`;
  }
  return undefined;
}
