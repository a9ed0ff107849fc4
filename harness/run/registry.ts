/**
 * Resolves what the user named on the command line: bundled adapters by name, a user's own
 * adapter by path (TypeScript included), scenarios by name.
 */

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { asAdapter, isTypeScriptModule, type AdapterDefinition } from '../contract/adapter.js';
import { UsageError } from '../contract/errors.js';
import { BUILTIN_ADAPTER_NAMES, builtinAdapters, isBuiltinAdapter } from '../../adapters/index.js';
import { isScenarioName, loadScenario, SCENARIO_NAMES } from '../../scenarios/index.js';
import type { AnyScenario } from '../contract/scenario.js';

export interface ResolvedAdapter {
  /** The adapter's own name. */
  readonly name: string;
  /** Module URL, importable from any thread of a run. */
  readonly url: string;
  /** What the user typed, for replay commands. */
  readonly ref: string;
  readonly definition: AdapterDefinition;
}

let tsLoaderRegistered = false;

export function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.[cm]?[jt]sx?$/.test(ref);
}

export async function resolveAdapter(ref: string, cwd: string): Promise<ResolvedAdapter> {
  let url: string;
  if (isBuiltinAdapter(ref)) {
    url = builtinAdapters[ref];
  } else if (looksLikePath(ref)) {
    const path = isAbsolute(ref) ? ref : resolve(cwd, ref);
    if (!existsSync(path)) {
      throw new UsageError(`Expected \`--adapter ${ref}\` to be an adapter module, but ${path} does not exist`);
    }
    url = pathToFileURL(path).href;
    if (isTypeScriptModule(url)) await registerTsLoader();
  } else {
    throw new UsageError(
      `Unknown adapter \`${ref}\`. Expected one of: ${BUILTIN_ADAPTER_NAMES.join(', ')}; or a path to your own adapter module, e.g. ./my-adapter.ts`,
    );
  }
  let exported: unknown;
  try {
    exported = ((await import(url)) as { default?: unknown }).default;
  } catch (error: unknown) {
    throw new UsageError(`Could not load the adapter module ${ref}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let definition: AdapterDefinition;
  try {
    definition = asAdapter(exported, ref);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { name: definition.name, url, ref, definition };
}

export async function resolveScenario(name: string): Promise<AnyScenario> {
  if (!isScenarioName(name)) {
    throw new UsageError(`Unknown scenario \`${name}\`. Expected one of: ${SCENARIO_NAMES.join(', ')}`);
  }
  return loadScenario(name);
}

/** Lets this process import TypeScript adapters; run children get the same loader by flag. */
async function registerTsLoader(): Promise<void> {
  if (tsLoaderRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsLoaderRegistered = true;
}
