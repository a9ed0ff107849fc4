/**
 * GitHub Actions: workflow-command annotations for failing runs (a pure view of the result
 * model), and the Markdown summary appended to the job summary when running on GitHub.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions
 */

import { appendFileSync } from 'node:fs';
import type { Report } from '../harness/contract/result.js';
import { markdownSummary } from './markdown.js';

/** One `::error title=...::message` line per failing finding, one per errored run. */
export function githubAnnotations(report: Report): string[] {
  const lines: string[] = [];
  for (const run of report.runs) {
    const where = `${run.adapter} × ${run.scenario} seed ${run.seed}`;
    if (run.status === 'error') {
      lines.push(`::error title=${property(`logjam: ${where} errored`)}::${data(`${run.reason ?? 'harness error'}\nreplay: ${run.replay.command}`)}`);
    }
    if (run.status !== 'fail') continue;
    const failing = run.findings.filter((f) => f.severity === 'error');
    for (const f of failing.length > 0 ? failing : run.findings) {
      lines.push(`::error title=${property(`logjam: ${f.kind} in ${where}`)}::${data(`${f.message}\nreplay: ${run.replay.command}`)}`);
    }
  }
  return lines;
}

/**
 * When `GITHUB_ACTIONS=true`: writes the annotations and appends the summary to
 * `$GITHUB_STEP_SUMMARY`. Returns whether it did anything. The environment is passed in.
 */
export function reportToGitHub(report: Report, env: NodeJS.ProcessEnv, write: (text: string) => void, title?: string): boolean {
  if (env['GITHUB_ACTIONS'] !== 'true') return false;
  for (const line of githubAnnotations(report)) write(`${line}\n`);
  const summaryFile = env['GITHUB_STEP_SUMMARY'];
  if (summaryFile !== undefined && summaryFile !== '') appendFileSync(summaryFile, `${markdownSummary(report, title)}\n`);
  return true;
}

/** Message data: `%`, CR and LF are the characters the runner decodes. */
function data(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values also end at `:` and `,`. */
function property(value: string): string {
  return data(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
