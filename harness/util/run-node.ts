/**
 * Which Node binary runs a run's process. `--node VERSION` (harness/cli/node-cache.ts) resolves
 * a release to a binary and names it here, in the environment, the way `--python` and
 * `--logger-version` reach every process a command starts; without it, runs use the Node that
 * runs logjam. Read at spawn time by the run's process, the warm pool and benchmarks.
 */

/** Absolute path of the Node binary each run's process is started with. */
export const NODE_BINARY_ENV = 'LOGJAM_NODE';
/** The exact release `--node` resolved to (22.12.0), for replay commands and files. */
export const NODE_VERSION_ENV = 'LOGJAM_NODE_VERSION';

/** The Node binary a run's process is started with: `--node`'s, else this process's own. */
export function runNodeBinary(env: NodeJS.ProcessEnv = process.env): string {
  const named = env[NODE_BINARY_ENV];
  return named !== undefined && named !== '' ? named : process.execPath;
}

/** The release `--node` asked for, when one was; undefined when runs use this process's Node. */
export function requestedNodeVersion(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env[NODE_VERSION_ENV];
  return named !== undefined && named !== '' ? named : undefined;
}
