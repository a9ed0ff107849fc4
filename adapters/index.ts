/**
 * The bundled adapters, by name. A user's own adapter is loaded by path instead.
 */

import { isPythonSeededDefect, PYTHON_ADAPTER_NAMES } from './python.js';

export const builtinAdapters = {
  'pino-sync': new URL('./pino-sync.js', import.meta.url).href,
  'pino-async': new URL('./pino-async.js', import.meta.url).href,
  'pino-transport': new URL('./pino-transport.js', import.meta.url).href,
  'pino-tcp': new URL('./pino-tcp.js', import.meta.url).href,
  'pino-loki': new URL('./pino-loki.js', import.meta.url).href,
  'pino-pipeline': new URL('./pino-pipeline.js', import.meta.url).href,
  'pino-multistream': new URL('./pino-multistream.js', import.meta.url).href,
  'winston-file': new URL('./winston-file.js', import.meta.url).href,
  'winston-stream': new URL('./winston-stream.js', import.meta.url).href,
  'winston-rotating': new URL('./winston-rotating.js', import.meta.url).href,
  'winston-http': new URL('./winston-http.js', import.meta.url).href,
  'bunyan-file': new URL('./bunyan-file.js', import.meta.url).href,
  'bunyan-stream': new URL('./bunyan-stream.js', import.meta.url).href,
  'bunyan-rotating': new URL('./bunyan-rotating.js', import.meta.url).href,
  'log4js-file': new URL('./log4js-file.js', import.meta.url).href,
  'log4js-tcp': new URL('./log4js-tcp.js', import.meta.url).href,
  'log4js-http': new URL('./log4js-http.js', import.meta.url).href,
  'log4js-rotating': new URL('./log4js-rotating.js', import.meta.url).href,
  reference: new URL('./reference/adapter.js', import.meta.url).href,
  'reference-tcp': new URL('./reference/tcp.js', import.meta.url).href,
  'reference-bug-abba': new URL('./reference/bugs/abba.js', import.meta.url).href,
  'reference-bug-flush-holds-lock': new URL('./reference/bugs/flush-holds-lock.js', import.meta.url).href,
  'reference-bug-lost-wakeup': new URL('./reference/bugs/lost-wakeup.js', import.meta.url).href,
  'reference-bug-recursive': new URL('./reference/bugs/recursive.js', import.meta.url).href,
  'reference-bug-silent-drop': new URL('./reference/bugs/silent-drop.js', import.meta.url).href,
  'reference-bug-swap-loses': new URL('./reference/bugs/swap-loses.js', import.meta.url).href,
  'reference-bug-exit-no-drain': new URL('./reference/bugs/exit-no-drain.js', import.meta.url).href,
  'reference-bug-three-lock': new URL('./reference/bugs/three-lock.js', import.meta.url).href,
} satisfies Record<string, string>;

export type BuiltinAdapterName = keyof typeof builtinAdapters;

export const BUILTIN_ADAPTER_NAMES = Object.keys(builtinAdapters) as BuiltinAdapterName[];

/** The seeded-defect catalogue: loggers broken on purpose, each flagged by the watchdog. */
export const isSeededDefect = (name: string): boolean => name.startsWith('reference-bug-');

/** What `logjam run` drives when no adapter is named: the real loggers, not the seeded defects. */
export const DEFAULT_ADAPTER_NAMES = BUILTIN_ADAPTER_NAMES.filter((name) => !isSeededDefect(name));

/**
 * Expands `reference-bug-*` style patterns against the bundled names (the Python adapters'
 * included: `python-*`); other refs pass through.
 */
export function expandAdapterRefs(refs: readonly string[]): string[] {
  return refs.flatMap((ref) => {
    if (!ref.includes('*')) return [ref];
    const pattern = new RegExp(`^${ref.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const python = PYTHON_ADAPTER_NAMES.filter((name) => !isPythonSeededDefect(name) || ref.includes('-bug'));
    return [...BUILTIN_ADAPTER_NAMES, ...python].filter((name) => pattern.test(name));
  });
}

export function isBuiltinAdapter(name: string): name is BuiltinAdapterName {
  return Object.hasOwn(builtinAdapters, name);
}
