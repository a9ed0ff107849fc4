/**
 * Whether to colour, and the chalk instance that does it: on its own so `logjam list` colours
 * its listing without loading the terminal reporter.
 */

import { Chalk, type ChalkInstance } from 'chalk';
import type { Output } from './reporter.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function chalkFor(out: Output, env: NodeJS.ProcessEnv): ChalkInstance {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const force = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0';
  return new Chalk({ level: noColor ? 0 : force || out.isTTY ? 1 : 0 });
}
