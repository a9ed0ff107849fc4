/**
 * The bundled Python adapters, by name: modules under the package's python/adapters/, run by
 * the Python driver over the process bridge (harness/child/python-bridge.ts). Seeded defects
 * are named `python-bug-*` and run only when named.
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pythonRoot } from '../harness/util/python.js';

export const pythonAdapters = {
  'python-queue': 'adapters/queue_listener.py',
  'python-queue-bounded': 'adapters/bounded_queue.py',
  'python-file': 'adapters/file_handler.py',
  'python-rotating': 'adapters/rotating.py',
  'python-pipe': 'adapters/stream_pipe.py',
  'python-socket': 'adapters/socket_handler.py',
  'python-asyncio': 'adapters/asyncio_recipe.py',
  'python-loguru': 'adapters/loguru_file.py',
  'python-structlog': 'adapters/structlog_file.py',
  'python-logbook': 'adapters/logbook_file.py',
  'python-bug-abba': 'adapters/bugs/abba.py',
  'python-bug-wedge': 'adapters/bugs/wedge.py',
} satisfies Record<string, string>;

export type PythonAdapterName = keyof typeof pythonAdapters;

export const PYTHON_ADAPTER_NAMES = Object.keys(pythonAdapters) as PythonAdapterName[];

/** Seeded defects run only when named, or by a pattern that names them (`python-bug-*`). */
export const isPythonSeededDefect = (name: string): boolean => name.startsWith('python-bug-');

export function isPythonAdapterName(name: string): name is PythonAdapterName {
  return Object.hasOwn(pythonAdapters, name);
}

/** The module URL of a bundled Python adapter, from dist/ or from the sources alike. */
export function pythonAdapterUrl(name: PythonAdapterName): string {
  return pathToFileURL(join(pythonRoot(), pythonAdapters[name])).href;
}
