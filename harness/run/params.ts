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
