/**
 * Loads what a run imports by URL: an adapter module or a scenario module, bundled or the
 * user's own (TypeScript included). Names are the catalogue's business (harness/cli/catalogue.ts);
 * this layer only ever sees module URLs.
 */

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asAdapter, isTypeScriptModule, type AdapterDefinition } from '../contract/adapter.js';
import { UsageError } from '../contract/errors.js';
import { asScenario, type AnyScenario } from '../contract/scenario.js';
import { isPythonAdapterUrl, type PythonDescription } from '../contract/python.js';
import { describePythonAdapter } from '../util/python.js';

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
  return ref.includes('/') || ref.includes('\\') || /\.([cm]?[jt]sx?|py)$/.test(ref);
}

export interface LoadOptions {
  /**
   * The user named this adapter (not a pattern such as `python-*`): a Python adapter with no
   * interpreter to run it is then a usage error, not a skipped run. @default true
   */
  readonly explicit?: boolean;
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

export async function loadAdapter(url: string, ref: string, options: LoadOptions = {}): Promise<ResolvedAdapter> {
  if (isPythonAdapterUrl(url)) return loadPythonAdapter(url, ref, options.explicit ?? true);
  const exported = await importDefault(url, ref, 'adapter');
  let definition: AdapterDefinition;
  try {
    definition = asAdapter(exported, ref);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { name: definition.name, url, ref, definition };
}

/**
 * A Python adapter, described by the Python driver. Its `create` is never called in Node: the
 * run's child hands the whole run to the driver (harness/child/python-bridge.ts).
 */
async function loadPythonAdapter(url: string, ref: string, explicit: boolean): Promise<ResolvedAdapter> {
  const described = await describePythonAdapter(fileURLToPath(url));
  if (!described.ok) {
    if (described.reason === 'no-python' && !explicit) {
      // Each run of it is skipped with the same reason, by the run's child.
      const definition = asAdapter({ name: ref, description: `Python adapter (skipped: ${described.message})`, capabilities: { format: 'text', gracefulShutdown: false }, create: pythonOnly }, ref);
      return { name: ref, url, ref, definition };
    }
    throw new UsageError(described.reason === 'no-python' ? `The Python adapter ${ref} needs a Python interpreter. ${described.message}` : described.message);
  }
  const d = described.description;
  let definition: AdapterDefinition;
  try {
    definition = asAdapter({ name: d.name, description: d.description, capabilities: nodeCapabilities(d.capabilities), versions: () => ({ ...d.versions }), create: pythonOnly }, ref);
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return { name: d.name, url, ref, definition };
}

/** The capabilities Node's contract knows; `pipe` is the Python driver's own (a pipe the child drains). */
function nodeCapabilities(capabilities: PythonDescription['capabilities']): Record<string, unknown> {
  const { pipe: _pipe, ...rest } = capabilities;
  return rest;
}

function pythonOnly(): never {
  throw new Error('a Python adapter runs in the Python driver, not in Node: this is a harness bug');
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
