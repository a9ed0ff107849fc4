/**
 * JUnit XML: a pure view of the result model, in the shape CI systems read (GitHub test
 * reporters, GitLab, Jenkins, Buildkite). One `<testsuite>` per adapter, one `<testcase>` per
 * run (classname = adapter, name = scenario and seed); a failing run carries one `<failure>` per
 * failing finding with its evidence and the replay command, a skipped run `<skipped>`, a run the
 * harness could not finish `<error>`.
 */

import type { Finding, Report, RunResult } from '../harness/contract/result.js';

export function junitXml(report: Report): string {
  const byAdapter = new Map<string, RunResult[]>();
  for (const run of report.runs) {
    const list = byAdapter.get(run.adapter) ?? [];
    list.push(run);
    byAdapter.set(run.adapter, list);
  }
  const s = report.summary;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="logjam" tests="${report.runs.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`,
  ];
  for (const [adapter, runs] of byAdapter) {
    const count = (status: RunResult['status']): number => runs.filter((r) => r.status === status).length;
    const time = runs.reduce((t, r) => t + r.metrics.wallMs, 0);
    lines.push(
      `  <testsuite name="${attr(adapter)}" tests="${runs.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(time)}">`,
    );
    for (const run of runs) lines.push(...testcase(run));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function testcase(run: RunResult): string[] {
  const open = `    <testcase classname="${attr(run.adapter)}" name="${attr(`${run.scenario} seed ${run.seed}`)}" time="${seconds(run.metrics.wallMs)}"`;
  const replay = `replay: ${run.replay.command}`;
  switch (run.status) {
    case 'pass':
      return [`${open}/>`];
    case 'skip':
      return [`${open}>`, `      <skipped message="${attr(run.reason ?? 'skipped')}"/>`, '    </testcase>'];
    case 'error':
      return [
        `${open}>`,
        `      <error type="harness-error" message="${attr(run.reason ?? 'the harness could not finish this run')}">${text(`${run.reason ?? ''}\n${findingsText(run.findings)}${replay}`)}</error>`,
        '    </testcase>',
      ];
    case 'fail': {
      // Only the findings that failed the run are failures; the others ride along as output.
      const failing = run.findings.filter((f) => f.severity === 'error');
      const shown = failing.length > 0 ? failing : run.findings;
      const body = shown.map(
        (f) => `      <failure type="${attr(f.kind)}" message="${attr(`${f.kind}: ${f.message}`)}">${text(`${findingText(f)}\n${replay}`)}</failure>`,
      );
      const others = run.findings.filter((f) => !shown.includes(f));
      const out = others.length > 0 ? [`      <system-out>${text(`other findings:\n${findingsText(others)}`)}</system-out>`] : [];
      return [`${open}>`, ...body, ...out, '    </testcase>'];
    }
  }
}

function findingsText(findings: readonly Finding[]): string {
  return findings.map((f) => `${findingText(f)}\n`).join('');
}

function findingText(f: Finding): string {
  return `${f.severity} ${f.kind}: ${f.message}\nevidence: ${JSON.stringify(f.evidence, null, 2)}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * XML 1.0 cannot carry most C0 controls at all, not even as character references, and a lone
 * surrogate is not a character: those are written as visible `\uXXXX` escapes so a record full
 * of terminal escapes or binary garbage still yields a document every parser accepts.
 */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Element text: `]]>` needs no care once `>` is escaped; `\r` as a reference, or parsers turn it into `\n`. */
export function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Attribute values: newlines and tabs as references, or a parser normalises them to spaces. */
export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
