/**
 * The project config (`logjam.config.ts`, `.mts`, `.js`, `.mjs` or `.json`, found in the working
 * directory or named with `--config`), in the manner of vitest.config.ts: the suite a project's
 * `logjam ci` runs with no flags. Flags override it key by key.
 *
 * One zod schema is the definition: the type users write (`LogjamConfig`, through
 * `defineConfig` from 'logjam'), and the check a loaded file passes before anything runs, with
 * an error naming the key, what was expected and what came. Config files are user code: the
 * schema is strict, so a misspelt key is an error, not silently ignored.
 */

import { z } from 'zod';
import { REPORTER_NAMES } from './reporter-names.js';

/** `30s`, `1500ms`, `2m`, `1h`, or a number of milliseconds. */
const duration = z.union([z.number().positive().finite(), z.string().regex(/^\d+(?:\.\d+)?(ms|s|m|h)?$/, 'expected a duration such as 30s, 1500ms or 2m')]);

const seed = z.number().int().min(0).max(2 ** 31 - 1);

const nameOrPath = z.string().trim().min(1, 'expected a bundled name or a path, got an empty string');

export const configSchema = z.strictObject({
  /** Adapters by bundled name (`pino-sync`, `reference-bug-*`) or path, relative to the config file. @defaultValue the bundled real loggers */
  adapters: z.array(nameOrPath).min(1).optional(),
  /** Scenarios by bundled name or path, relative to the config file. @defaultValue every bundled scenario */
  scenarios: z.array(nameOrPath).min(1).optional(),
  /** First seed; runs use seed, seed+1, ... @defaultValue 1 for `ci`, a fresh seed for `run` */
  seed: seed.optional(),
  /** Exact seeds, instead of `seed` and `runs`. */
  seeds: z.array(seed).min(1).optional(),
  /** Seeds per adapter and scenario. @defaultValue 1 */
  runs: z.number().int().min(1).max(100_000).optional(),
  /** Time budget of `logjam ci`'s whole suite. @defaultValue 60s */
  budget: duration.optional(),
  timeouts: z
    .strictObject({
      /** Hard deadline of each run. @defaultValue 30s for `ci`, 60s for `run` */
      run: duration.optional(),
      /** No progress for this long while work remains is a hang. @defaultValue 3s */
      hang: duration.optional(),
      /** How long a run's process may take to end after its scenario. @defaultValue 3s */
      exit: duration.optional(),
      /** How long a logger's close may take. @defaultValue 5s */
      close: duration.optional(),
    })
    .optional(),
  /** Resident memory cap of each run's process, in MB. @defaultValue 2048 */
  memory: z.number().int().min(64).optional(),
  /** Runs judged by exact counts side by side. @defaultValue the machine's cores */
  jobs: z.number().int().min(1).max(256).optional(),
  /** Where `logjam ci` writes its report files. @defaultValue logjam-report */
  out: nameOrPath.optional(),
  /** `logjam run`'s reporters (on stdout). @defaultValue ['terminal'] */
  reporters: z.array(z.enum(REPORTER_NAMES)).min(1).optional(),
});

/** What a config file exports (its `default`), as written. */
export type LogjamConfig = z.input<typeof configSchema>;

/** Milliseconds from a config duration (already validated). */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return Math.round(value);
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value) as RegExpExecArray;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** The validated config, or the problems with it, each naming its key, what was expected and what came. */
export function checkConfig(value: unknown): { ok: true; config: LogjamConfig } | { ok: false; problems: string[] } {
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // A misspelt key: name it and the keys that exist there.
      const known = Object.keys(at.length === 0 ? configSchema.shape : configSchema.shape.timeouts.unwrap().shape);
      return issue.keys.map((k) => `\`${[...at, k].join('.')}\`: unknown key; expected one of ${known.join(', ')}`);
    }
    const key = at.length > 0 ? at.join('.') : '(the config)';
    return [`\`${key}\`: ${issue.message}${gotOf(value, issue.path)}`];
  });
  return { ok: false, problems };
}

function gotOf(root: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  if (v === undefined) return '';
  const text = JSON.stringify(v);
  return `, got ${text === undefined ? typeof v : text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
