/**
 * `defineConfig` for `logjam.config.ts`: types the config and returns it unchanged. Apart from
 * config.ts, so that `import { defineConfig } from 'logjam'` loads no schema library: only the
 * type comes from there.
 */

import type { LogjamConfig } from './config.js';

export type { LogjamConfig };

/** Types a project config (see docs/config.md); the CLI validates it when it loads the file. */
export function defineConfig(config: LogjamConfig): LogjamConfig {
  return config;
}
