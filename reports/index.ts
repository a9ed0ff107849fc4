import type { ChalkInstance } from 'chalk';
import { jsonReporter } from './json.js';
import { junitXml } from './junit.js';
import { markdownSummary } from './markdown.js';
import type { Output, Reporter } from './reporter.js';
import { terminalReporter, type TerminalOptions } from './terminal.js';
import type { ReporterName } from '../harness/contract/reporter-names.js';

export const reporters = {
  terminal: (out: Output, c: ChalkInstance, options?: TerminalOptions) => terminalReporter(out, c, options),
  json: (out: Output) => jsonReporter(out),
  junit: (out: Output) => ({ onEnd: (report) => out.write(junitXml(report)) }),
  markdown: (out: Output) => ({ onEnd: (report) => out.write(markdownSummary(report)) }),
} satisfies Record<ReporterName, (out: Output, c: ChalkInstance) => Reporter>;

export { REPORTER_NAMES, isReporterName, type ReporterName } from '../harness/contract/reporter-names.js';

export { chalkFor, terminalReporter } from './terminal.js';
export { githubAnnotations, reportToGitHub } from './github.js';
export { junitXml } from './junit.js';
export { markdownSummary } from './markdown.js';
export type { Output, PlannedRun, Reporter } from './reporter.js';
