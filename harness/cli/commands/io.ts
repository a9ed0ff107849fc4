/**
 * The output streams captured at startup and option parsing with usage errors: all that
 * `logjam --help`, a command's help and a usage error load (issue 17's instant CLI), apart
 * from shared.ts, which also resolves adapters and scenarios and writes reports.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Output } from '../../../reports/reporter.js';
import { UsageError } from '../../contract/errors.js';
import { isStdoutClosed } from '../signals.js';

// Captured at startup: a logger loaded into this process may patch stdout or console.
const stdoutWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);
// A closed stdout (`| head -1`) drops what is written to it: nobody reads it (harness/cli/signals.ts).
export const stdout: Output = { write: (t) => void (isStdoutClosed() ? undefined : stdoutWrite(t)), isTTY: process.stdout.isTTY === true };
export const stderr: Output = { write: (t) => void stderrWrite(t), isTTY: process.stderr.isTTY === true };

type Options = NonNullable<ParseArgsConfig['options']>;
type ParseConfig<T extends Options> = { args: string[]; options: T; strict: true; allowPositionals: boolean };
export type Parsed<T extends Options> = ReturnType<typeof parseArgs<ParseConfig<T>>>;

export function parse<T extends Options>(args: string[], options: T, command: string, allowPositionals = false): Parsed<T> {
  try {
    // Node words its own error for a stray argument; `positionals` is an empty list when refused.
    return parseArgs<ParseConfig<T>>({ args, options, strict: true, allowPositionals });
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.replace(/\.$/, '')}. Run \`logjam ${command} --help\` for the options.`);
  }
}

