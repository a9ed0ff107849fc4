/**
 * Finds and loads the project config (harness/contract/config.ts defines it): `--config PATH`,
 * else the first of logjam.config.ts, .mts, .js, .mjs, .json in the working directory.
 *
 * A config is user code. Whatever it does wrong (throws, exports nothing, exports the wrong
 * shape, never settles its top-level await) ends as a usage error (exit 2) naming the file, the
 * key and what was expected; loading is bounded so a config cannot hang the CLI.
 */

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkConfig, durationMs, type LogjamConfig } from '../contract/config.js';
import type { Bounds } from '../run/jobs.js';
import { UsageError } from '../contract/errors.js';
import { errorMessage } from '../util/deadline.js';

export { durationMs };

export const CONFIG_FILES = ['logjam.config.ts', 'logjam.config.mts', 'logjam.config.js', 'logjam.config.mjs', 'logjam.config.json'] as const;

/** How long a config module may take to load (tsx compiling it included). */
const LOAD_MS = 15_000;

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
  const value = await withDeadline(load(file), LOAD_MS, file);
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
  let module: { default?: unknown };
  try {
    const url = pathToFileURL(file).href;
    if (/\.[mc]?ts$/.test(file)) {
      // tsx loads only for a TypeScript config: a .js, .mjs or .json project pays nothing for it.
      const { tsImport } = await import('tsx/esm/api');
      module = (await tsImport(url, import.meta.url)) as { default?: unknown };
    } else {
      module = (await import(url)) as { default?: unknown };
    }
  } catch (error: unknown) {
    throw new UsageError(`Loading ${basename(file)} failed: ${errorMessage(error)}`);
  }
  if (module.default === undefined) {
    throw new UsageError(`Expected ${basename(file)} to export its config as default: \`export default defineConfig({ ... })\``);
  }
  return module.default;
}

async function withDeadline<T>(work: Promise<T>, ms: number, file: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UsageError(`${basename(file)} did not finish loading within ${ms / 1000} s; a config must not wait on anything`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
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
