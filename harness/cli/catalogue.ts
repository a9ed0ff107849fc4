/**
 * The catalogue: the one place that knows the bundled adapters and scenarios by name. What the
 * user names on the command line (or in the API) becomes a module URL here; everything below
 * the CLI (the suite, the supervisor, the run's child) receives URLs only.
 */

import { BUILTIN_ADAPTER_NAMES, builtinAdapters, isBuiltinAdapter } from '../../adapters/index.js';
import { builtinScenarios, isScenarioName, SCENARIO_NAMES } from '../../scenarios/index.js';
import { UsageError } from '../contract/errors.js';
import { describeAdapter, describeScenario, loadAdapter, loadScenario, looksLikePath, moduleUrlOf, type LoadOptions, type ResolvedAdapter, type ResolvedScenario } from '../run/resolve.js';
import type { DescribeLimits } from '../run/describe.js';
import { isPythonAdapterUrl } from '../contract/python.js';
import { isPythonAdapterName, pythonAdapterUrl } from '../../adapters/python.js';

export { BUILTIN_ADAPTER_NAMES, DEFAULT_ADAPTER_NAMES, expandAdapterRefs, isSeededDefect } from '../../adapters/index.js';
export { SCENARIO_NAMES } from '../../scenarios/index.js';

/**
 * A bundled adapter by name (a Python one included), or the user's own by path (`.py` for a
 * Python adapter). `explicit: false` for names a pattern expanded to: a Python adapter with no
 * interpreter then skips its runs instead of being a usage error. A user's JS/TS module is read
 * in a describe child under `limits` (the run's deadline and memory cap), never imported into
 * this process; a Python one is described by the Python driver in a process of its own.
 */
export async function resolveAdapter(ref: string, cwd: string, options: LoadOptions & { readonly limits?: DescribeLimits } = {}): Promise<ResolvedAdapter> {
  const { limits, ...load } = options;
  if (isBuiltinAdapter(ref)) return loadAdapter(builtinAdapters[ref], ref);
  if (isPythonAdapterName(ref)) return loadAdapter(pythonAdapterUrl(ref), ref, load);
  if (looksLikePath(ref)) {
    const url = moduleUrlOf(ref, cwd, 'adapter');
    return isPythonAdapterUrl(url) ? loadAdapter(url, ref, load) : describeAdapter(url, ref, limits);
  }
  throw new UsageError(
    `Unknown adapter \`${ref}\`. Expected one of: ${BUILTIN_ADAPTER_NAMES.join(', ')}; or a path to your own adapter module, e.g. ./my-adapter.ts`,
  );
}

/** A bundled scenario by name, or the user's own by path (`--scenario ./my-scenario.ts`). */
export async function resolveScenario(ref: string, cwd: string = process.cwd(), limits: DescribeLimits = {}): Promise<ResolvedScenario> {
  if (isScenarioName(ref)) return loadScenario(builtinScenarios[ref], ref);
  if (looksLikePath(ref)) return describeScenario(moduleUrlOf(ref, cwd, 'scenario'), ref, limits);
  throw new UsageError(
    `Unknown scenario \`${ref}\`. Expected one of: ${SCENARIO_NAMES.join(', ')}; or a path to your own scenario module, e.g. ./my-scenario.ts`,
  );
}
