/**
 * Exact versions of the packages an adapter loads, read from their package.json files as the
 * adapter's own `require` resolves them, so helpers nested under a logger are found too.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageVersions(require: NodeJS.Require, names: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    const version = findVersion(require, name);
    if (version !== undefined) versions[name] = version;
  }
  return versions;
}

function findVersion(require: NodeJS.Require, name: string): string | undefined {
  // Helpers (sonic-boom, thread-stream) are the logger's dependencies, so resolve them from it.
  const from = [undefined, ...['pino', 'winston', 'bunyan', 'log4js'].map((logger) => safeResolve(require, logger))];
  for (const base of from) {
    const entry = safeResolve(require, name, base === undefined ? undefined : [dirname(base)]);
    if (entry === undefined) continue;
    let dir = dirname(entry);
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version !== undefined) return pkg.version;
      } catch {
        // no package.json at this level: keep climbing
      }
      dir = dirname(dir);
    }
  }
  return undefined;
}

function safeResolve(require: NodeJS.Require, name: string, paths?: string[]): string | undefined {
  try {
    return paths === undefined ? require.resolve(name) : require.resolve(name, { paths });
  } catch {
    return undefined;
  }
}
