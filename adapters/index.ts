/**
 * The bundled adapters, by name. A user's own adapter is loaded by path instead.
 */

export const builtinAdapters = {
  'pino-sync': new URL('./pino-sync.js', import.meta.url).href,
  'pino-async': new URL('./pino-async.js', import.meta.url).href,
  'pino-transport': new URL('./pino-transport.js', import.meta.url).href,
} satisfies Record<string, string>;

export type BuiltinAdapterName = keyof typeof builtinAdapters;

export const BUILTIN_ADAPTER_NAMES = Object.keys(builtinAdapters) as BuiltinAdapterName[];

export function isBuiltinAdapter(name: string): name is BuiltinAdapterName {
  return Object.hasOwn(builtinAdapters, name);
}
