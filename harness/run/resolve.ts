/**
 * Loads what a run imports by URL: an adapter module or a scenario module, bundled or the
 * user's own (TypeScript included). Names are the catalogue's business (harness/cli/catalogue.ts);
 * this layer only ever sees module URLs.
 */

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { asAdapter, isTypeScriptModule, type AdapterDefinition, defaultExport } from '../contract/adapter.js';
import { UsageError } from '../contract/errors.js';
import { asScenario, type AnyScenario } from '../contract/scenario.js';
import { isPythonAdapterUrl, type PythonDescription } from '../contract/python.js';
import { describePythonAdapter } from '../util/python.js';
import { describeModule, type DescribeLimits } from './describe.js';

export interface ResolvedAdapter {
  /** The adapter's own name. */
  readonly name: string;
  /** Module URL, importable from any thread of a run. */
  readonly url: string;
  /** What the user typed, for replay commands. */
  readonly ref: string;
  readonly definition: AdapterDefinition;
  /**
   * For a user's adapter, read in a describe child and never imported here: the files it wrote
   * for a sink file, asked of it in a describe child too. Absent for bundled adapters.
   */
  readonly sinkFiles?: (file: string) => Promise<readonly string[]>;
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
    return defaultExport(await import(url));
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

/** The capabilities Node's contract knows; `pipe` (a pipe the child drains) and `asyncio` (producers as asyncio tasks) are the Python driver's own. */
function nodeCapabilities(capabilities: PythonDescription['capabilities']): Record<string, unknown> {
  const { pipe: _pipe, asyncio: _asyncio, ...rest } = capabilities;
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

/**
 * A user's adapter, read in a describe child under a deadline and memory cap: the supervisor
 * never imports it. Its definition here carries what was read (name, description, capabilities,
 * versions); `create` and `setup` only ever run in a run's own child process.
 */
export async function describeAdapter(url: string, ref: string, limits: DescribeLimits = {}): Promise<ResolvedAdapter> {
  const answer = await describeModule({ kind: 'adapter', url, ref }, limits);
  if (answer.type !== 'adapter') throw new Error(`harness bug: the describe child answered ${answer.type} for an adapter`);
  const { name, description, capabilities, versions, hasSinkFiles } = answer;
  const definition: AdapterDefinition = {
    name,
    description,
    capabilities,
    versions: () => ({ ...versions }),
    create: () => {
      throw new Error(`harness bug: ${ref}'s create() called in the supervisor; it runs only in a run's child process`);
    },
  };
  const sinkFiles = async (file: string): Promise<readonly string[]> => {
    if (!hasSinkFiles) return [file];
    try {
      const files = await describeModule({ kind: 'adapter', url, ref, sinkFile: file }, { ...limits, timeoutMs: Math.min(limits.timeoutMs ?? 10_000, 10_000) });
      return files.type === 'sink-files' ? files.files : [file];
    } catch {
      // Its own sink file is always read back; the adapter's failure shows as lost records.
      return [file];
    }
  };
  return { name, url, ref, definition, sinkFiles };
}

/**
 * A user's scenario: imported first in a describe child under a deadline and memory cap, and
 * only once that import finished cleanly, here (its parameters' arbitrary draws here).
 */
export async function describeScenario(url: string, ref: string, limits: DescribeLimits = {}): Promise<ResolvedScenario> {
  await describeModule({ kind: 'scenario', url, ref }, limits);
  return loadScenario(url, ref);
}

/** Lets this process import TypeScript modules; run children get the same loader by flag. */
async function registerTsLoader(): Promise<void> {
  if (tsLoaderRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsLoaderRegistered = true;
}
