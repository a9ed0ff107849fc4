/**
 * The reporters' names, without the reporters: what `--help` and usage errors print, so that
 * printing them loads nothing else. reports/index.ts checks its registry against this list. (In the contract: a config names reporters too.)
 */

export const REPORTER_NAMES = ['terminal', 'json', 'junit', 'markdown'] as const;

export type ReporterName = (typeof REPORTER_NAMES)[number];

export function isReporterName(name: string): name is ReporterName {
  return (REPORTER_NAMES as readonly string[]).includes(name);
}
