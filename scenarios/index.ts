/**
 * The bundled scenarios, by name: module URLs, as for the bundled adapters. A run's child
 * imports a scenario by URL, so a user's own scenario (`--scenario ./my-scenario.ts`) runs the
 * same way. A name missing here is a type error in every `ScenarioName` use.
 */

export const builtinScenarios = {
  steady: new URL('./steady.js', import.meta.url).href,
  'exit-after-logging': new URL('./exit-after-logging.js', import.meta.url).href,
  'graceful-exit': new URL('./graceful-exit.js', import.meta.url).href,
  'lock-inversion': new URL('./lock-inversion.js', import.meta.url).href,
  'reconfigure-under-load': new URL('./reconfigure-under-load.js', import.meta.url).href,
  'natural-exit': new URL('./natural-exit.js', import.meta.url).href,
  'natural-exit-graceful': new URL('./natural-exit-graceful.js', import.meta.url).href,
  'startup-burst': new URL('./startup-burst.js', import.meta.url).href,
  'slow-sink': new URL('./slow-sink.js', import.meta.url).href,
  'blocking-sink': new URL('./blocking-sink.js', import.meta.url).href,
  'stalled-sink': new URL('./stalled-sink.js', import.meta.url).href,
  'failing-sink': new URL('./failing-sink.js', import.meta.url).href,
  'reentrant-sink': new URL('./reentrant-sink.js', import.meta.url).href,
  'burst-overflow': new URL('./burst-overflow.js', import.meta.url).href,
  'context-propagation': new URL('./context-propagation.js', import.meta.url).href,
  'torn-lines': new URL('./torn-lines.js', import.meta.url).href,
  'hostile-input': new URL('./hostile-input.js', import.meta.url).href,
  'crash-mid-write': new URL('./crash-mid-write.js', import.meta.url).href,
  'tcp-collector': new URL('./tcp-collector.js', import.meta.url).href,
  'http-collector': new URL('./http-collector.js', import.meta.url).href,
  'moved-sink': new URL('./moved-sink.js', import.meta.url).href,
  'reopen-then-close': new URL('./reopen-then-close.js', import.meta.url).href,
  'existing-sink': new URL('./existing-sink.js', import.meta.url).href,
  'async-interleavings': new URL('./async-interleavings.js', import.meta.url).href,
  'exit-listener': new URL('./exit-listener.js', import.meta.url).href,
  'shutdown-handler': new URL('./shutdown-handler.js', import.meta.url).href,
  'below-level-flood': new URL('./below-level-flood.js', import.meta.url).href,
  'recovering-sink': new URL('./recovering-sink.js', import.meta.url).href,
  'console-redirect': new URL('./console-redirect.js', import.meta.url).href,
} satisfies Record<string, string>;

export type ScenarioName = keyof typeof builtinScenarios;

export const SCENARIO_NAMES = Object.keys(builtinScenarios) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(builtinScenarios, name);
}
