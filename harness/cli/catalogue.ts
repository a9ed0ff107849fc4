/**
 * The catalogue: the one place that knows the bundled adapters and scenarios by name. What the
 * user names on the command line (or in the API) becomes a module URL here; everything below
 * the CLI (the suite, the supervisor, the run's child) receives URLs only.
 */

import { BUILTIN_ADAPTER_NAMES, builtinAdapters, isBuiltinAdapter } from '../../adapters/index.js';
import { builtinScenarios, isScenarioName, SCENARIO_NAMES } from '../../scenarios/index.js';
import { UsageError } from '../contract/errors.js';
import { loadAdapter, loadScenario, looksLikePath, moduleUrlOf, type LoadOptions, type ResolvedAdapter, type ResolvedScenario } from '../run/resolve.js';
import { isPythonAdapterName, pythonAdapterUrl } from '../../adapters/python.js';

export { BUILTIN_ADAPTER_NAMES, DEFAULT_ADAPTER_NAMES, expandAdapterRefs, isSeededDefect } from '../../adapters/index.js';
export { SCENARIO_NAMES } from '../../scenarios/index.js';

/**
 * A bundled adapter by name (a Python one included), or the user's own by path (`.py` for a
 * Python adapter). `explicit: false` for names a pattern expanded to: a Python adapter with no
 * interpreter then skips its runs instead of being a usage error.
 */
export async function resolveAdapter(ref: string, cwd: string, options: LoadOptions = {}): Promise<ResolvedAdapter> {
  if (isBuiltinAdapter(ref)) return loadAdapter(builtinAdapters[ref], ref);
  if (isPythonAdapterName(ref)) return loadAdapter(pythonAdapterUrl(ref), ref, options);
  if (looksLikePath(ref)) return loadAdapter(moduleUrlOf(ref, cwd, 'adapter'), ref, options);
  throw new UsageError(
    `Unknown adapter \`${ref}\`. Expected one of: ${BUILTIN_ADAPTER_NAMES.join(', ')}; or a path to your own adapter module, e.g. ./my-adapter.ts`,
  );
}

/** A bundled scenario by name, or the user's own by path (`--scenario ./my-scenario.ts`). */
export async function resolveScenario(ref: string, cwd: string = process.cwd()): Promise<ResolvedScenario> {
  if (isScenarioName(ref)) return loadScenario(builtinScenarios[ref], ref);
  if (looksLikePath(ref)) return loadScenario(moduleUrlOf(ref, cwd, 'scenario'), ref);
  throw new UsageError(
    `Unknown scenario \`${ref}\`. Expected one of: ${SCENARIO_NAMES.join(', ')}; or a path to your own scenario module, e.g. ./my-scenario.ts`,
  );
}
