/**
 * Loads what a run imports by URL: an adapter module or a scenario module, bundled or the
 * user's own (TypeScript included). Names are the catalogue's business (harness/cli/catalogue.ts);
 * this layer only ever sees module URLs.
 */

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { asAdapter, isTypeScriptModule, type AdapterDefinition } from '../contract/adapter.js';
import { UsageError } from '../contract/errors.js';
import { asScenario, type AnyScenario } from '../contract/scenario.js';

export interface ResolvedAdapter {
  /** The adapter's own name. */
  readonly name: string;
  /** Module URL, importable from any thread of a run. */
  readonly url: string;
  /** What the user typed, for replay commands. */
  readonly ref: string;
  readonly definition: AdapterDefinition;
}

/** A scenario's definition, with the module URL a run's child imports it from. */
export type ResolvedScenario = AnyScenario & {
  /** Module URL, importable from a run's child process. */
  readonly url: string;
  /** What the user typed (a bundled name or a path), for replay commands. */
  readonly ref: string;
};

let tsLoaderRegistered = false;

export function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.[cm]?[jt]sx?$/.test(ref);
}

/** The file URL of a module the user named by path, or a usage error saying it is missing. */
export function moduleUrlOf(ref: string, cwd: string, what: 'adapter' | 'scenario'): string {
  const path = isAbsolute(ref) ? ref : resolve(cwd, ref);
  if (!existsSync(path)) {
    throw new UsageError(`Expected \`--${what} ${ref}\` to be ${what === 'adapter' ? 'an adapter' : 'a scenario'} module, but ${path} does not exist`);
  }
  return pathToFileURL(path).href;
}

async function importDefault(url: string, ref: string, what: string): Promise<unknown> {
  if (isTypeScriptModule(url)) await registerTsLoader();
  try {
    return ((await import(url)) as { default?: unknown }).default;
  } catch (error: unknown) {
    throw new UsageError(`Could not load the ${what} module ${ref}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function loadAdapter(url: string, ref: string): Promise<ResolvedAdapter> {
  const exported = await importDefault(url, ref, 'adapter');
  let definition: AdapterDefinition;
  try {
    definition = asAdapter(exported, ref);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { name: definition.name, url, ref, definition };
}

export async function loadScenario(url: string, ref: string): Promise<ResolvedScenario> {
  const exported = await importDefault(url, ref, 'scenario');
  let definition: AnyScenario;
  try {
    definition = asScenario(exported, ref);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { ...definition, url, ref };
}

/** Lets this process import TypeScript modules; run children get the same loader by flag. */
async function registerTsLoader(): Promise<void> {
  if (tsLoaderRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsLoaderRegistered = true;
}
