import type { ChalkInstance } from 'chalk';
import { jsonReporter } from './json.js';
import type { Output, Reporter } from './reporter.js';
import { terminalReporter } from './terminal.js';

export const reporters = {
  terminal: (out: Output, c: ChalkInstance) => terminalReporter(out, c),
  json: (out: Output) => jsonReporter(out),
} satisfies Record<string, (out: Output, c: ChalkInstance) => Reporter>;

export type ReporterName = keyof typeof reporters;

export const REPORTER_NAMES = Object.keys(reporters) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(reporters, name);
}

export { chalkFor } from './terminal.js';
export type { Output, PlannedRun, Reporter } from './reporter.js';
