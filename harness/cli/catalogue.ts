/**
 * The catalogue: the one place that knows the bundled adapters and scenarios by name. What the
 * user names on the command line (or in the API) becomes a module URL here; everything below
 * the CLI (the suite, the supervisor, the run's child) receives URLs only.
 */

import { BUILTIN_ADAPTER_NAMES, builtinAdapters, isBuiltinAdapter } from '../../adapters/index.js';
import { builtinScenarios, isScenarioName, SCENARIO_NAMES } from '../../scenarios/index.js';
import { UsageError } from '../contract/errors.js';
import { loadAdapter, loadScenario, looksLikePath, moduleUrlOf, type ResolvedAdapter, type ResolvedScenario } from '../run/resolve.js';

export { BUILTIN_ADAPTER_NAMES, DEFAULT_ADAPTER_NAMES, expandAdapterRefs, isSeededDefect } from '../../adapters/index.js';
export { SCENARIO_NAMES } from '../../scenarios/index.js';

/** A bundled adapter by name, or the user's own by path. */
export async function resolveAdapter(ref: string, cwd: string): Promise<ResolvedAdapter> {
  if (isBuiltinAdapter(ref)) return loadAdapter(builtinAdapters[ref], ref);
  if (looksLikePath(ref)) return loadAdapter(moduleUrlOf(ref, cwd, 'adapter'), ref);
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
