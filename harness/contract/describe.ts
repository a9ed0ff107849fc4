/**
 * Messages between the supervisor and the describe child (harness/child/describe-child.ts),
 * which imports a user's adapter, scenario or project config module in a process of its own.
 */

import type { Capabilities } from './adapter.js';

/** What the supervisor asks: passed as JSON in argv. */
export interface DescribeRequest {
  readonly kind: 'adapter' | 'scenario' | 'config';
  readonly url: string;
  /** What the user typed, for messages. */
  readonly ref: string;
  /** Ask the adapter which files it wrote for this sink file (`sinkFiles`), instead of describing it. */
  readonly sinkFile?: string;
}

/** The one line the describe child writes on fd 3. */
export type DescribeAnswer =
  | {
      readonly type: 'adapter';
      readonly name: string;
      readonly description: string;
      readonly capabilities: Capabilities;
      readonly versions: Readonly<Record<string, string>>;
      readonly hasSinkFiles: boolean;
    }
  | { readonly type: 'scenario'; readonly name: string; readonly description: string }
  | { readonly type: 'sink-files'; readonly files: readonly string[] }
  /** A config's default export as JSON (a config is data); `exported: false` when there is none. */
  | { readonly type: 'config'; readonly exported: boolean; readonly value: unknown }
  | { readonly type: 'threw'; readonly phase: DescribePhase; readonly message: string; readonly stack?: string; readonly invalid?: boolean }
  | { readonly type: 'exited'; readonly phase: DescribePhase; readonly code: number }
  | { readonly type: 'never-settled'; readonly phase: DescribePhase };

export type DescribePhase = 'import' | 'validate' | 'versions' | 'sink-files';
