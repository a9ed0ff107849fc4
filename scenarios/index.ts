/**
 * The scenario registry. A name missing here is a type error in every `ScenarioName` use.
 */

import type { AnyScenario } from '../harness/contract/scenario.js';

export const scenarioLoaders = {
  steady: async () => (await import('./steady.js')).default,
  'exit-after-logging': async () => (await import('./exit-after-logging.js')).default,
  'graceful-exit': async () => (await import('./graceful-exit.js')).default,
  'lock-inversion': async () => (await import('./lock-inversion.js')).default,
  'reconfigure-under-load': async () => (await import('./reconfigure-under-load.js')).default,
  'natural-exit': async () => (await import('./natural-exit.js')).default,
  'natural-exit-graceful': async () => (await import('./natural-exit-graceful.js')).default,
  'startup-burst': async () => (await import('./startup-burst.js')).default,
  'slow-sink': async () => (await import('./slow-sink.js')).default,
  'blocking-sink': async () => (await import('./blocking-sink.js')).default,
  'stalled-sink': async () => (await import('./stalled-sink.js')).default,
  'failing-sink': async () => (await import('./failing-sink.js')).default,
  'reentrant-sink': async () => (await import('./reentrant-sink.js')).default,
  'burst-overflow': async () => (await import('./burst-overflow.js')).default,
  'context-propagation': async () => (await import('./context-propagation.js')).default,
  'torn-lines': async () => (await import('./torn-lines.js')).default,
  'hostile-input': async () => (await import('./hostile-input.js')).default,
  'crash-mid-write': async () => (await import('./crash-mid-write.js')).default,
  'tcp-collector': async () => (await import('./tcp-collector.js')).default,
  'async-interleavings': async () => (await import('./async-interleavings.js')).default,
} satisfies Record<string, () => Promise<AnyScenario>>;

export type ScenarioName = keyof typeof scenarioLoaders;

export const SCENARIO_NAMES = Object.keys(scenarioLoaders) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarioLoaders, name);
}

export async function loadScenario(name: string): Promise<AnyScenario> {
  if (!isScenarioName(name)) {
    throw new Error(`Expected a scenario name, one of ${SCENARIO_NAMES.join(', ')}; got \`${name}\``);
  }
  return scenarioLoaders[name]();
}
