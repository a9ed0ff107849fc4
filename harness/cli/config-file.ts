/**
 * Finds and loads the project config (harness/contract/config.ts defines it): `--config PATH`,
 * else the first of logjam.config.ts, .mts, .js, .mjs, .json in the working directory.
 *
 * A config is user code, read like a user's adapter: imported in a describe child
 * (harness/run/describe.ts) under a deadline, and only its data comes back. Whatever it does
 * wrong (throws, exits, spins, exports nothing, exports the wrong shape, never settles its
 * top-level await) ends as a usage error (exit 2) naming the file, the key and what was
 * expected.
 */

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkConfig, durationMs, type LogjamConfig } from '../contract/config.js';
import type { Bounds } from '../run/jobs.js';
import { UsageError } from '../contract/errors.js';
import { errorMessage } from '../util/deadline.js';
import { describeModule } from '../run/describe.js';

export { durationMs };

export const CONFIG_FILES = ['logjam.config.ts', 'logjam.config.mts', 'logjam.config.js', 'logjam.config.mjs', 'logjam.config.json'] as const;

/** How long a config module may take to load (a process started and tsx compiling it included). */
const LOAD_MS = 30_000;

export interface ProjectConfig {
  readonly file: string;
  /** The config file's folder: paths in it are relative to here. */
  readonly dir: string;
  readonly config: LogjamConfig;
}

/** The project's config, or undefined when there is none and none was named. */
export async function loadProjectConfig(named: string | undefined, cwd: string): Promise<ProjectConfig | undefined> {
  let file: string | undefined;
  if (named !== undefined) {
    if (named.trim() === '') throw new UsageError('Expected `--config` to name a config file, got an empty string');
    file = resolve(cwd, named);
    if (!existsSync(file)) throw new UsageError(`Expected \`--config\` to name a config file; \`${named}\` does not exist (looked for ${file})`);
  } else {
    file = CONFIG_FILES.map((name) => resolve(cwd, name)).find((f) => existsSync(f));
    if (file === undefined) return undefined;
  }
  const value = await load(file);
  const checked = checkConfig(value);
  if (!checked.ok) {
    throw new UsageError(`${basename(file)} is not a valid logjam config:\n${checked.problems.map((p) => `  ${p}`).join('\n')}\nSee docs/config.md for every key and its type.`);
  }
  return { file, dir: dirname(file), config: checked.config };
}

async function load(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error: unknown) {
      throw new UsageError(`Expected ${basename(file)} to be JSON: ${errorMessage(error)}`);
    }
  }
  // Imported in a describe child under a deadline, never here: a config that exits, spins,
  // allocates or never settles at import is reported, and cannot take the CLI with it.
  const answer = await describeModule({ kind: 'config', url: pathToFileURL(file).href, ref: basename(file) }, { timeoutMs: LOAD_MS });
  if (answer.type !== 'config') throw new Error(`the describe child answered ${answer.type} for a config: this is a harness bug`);
  if (!answer.exported) {
    throw new UsageError(`Expected ${basename(file)} to export its config as default: \`export default defineConfig({ ... })\``);
  }
  return answer.value;
}

/** The config's hang, exit and close bounds, for the suite. */
export function boundsOf(config: LogjamConfig): Bounds {
  const t = config.timeouts ?? {};
  return {
    ...(t.hang !== undefined ? { hangMs: durationMs(t.hang) } : {}),
    ...(t.exit !== undefined ? { exitMs: durationMs(t.exit) } : {}),
    ...(t.close !== undefined ? { closeMs: durationMs(t.close) } : {}),
  };
}
