/**
 * The Markdown summary: a pure view of the result model, for a pull request's job summary or a
 * file next to the HTML report. Log content never reaches it raw: table cells are escaped and
 * evidence sits in fenced blocks whose fence is longer than any backtick run inside.
 */

import type { Finding, Report, RunResult } from '../harness/contract/result.js';
import type { CompareModel } from './compare-model.js';
import { formatSpread, rankings } from './ranking.js';

export function markdownSummary(report: Report, title = 'logjam'): string {
  const s = report.summary;
  const verdict = s.error > 0 ? 'harness error' : s.fail > 0 ? 'findings failed a run' : 'all runs passed';
  const lines = [
    `## ${cell(title)}: ${verdict}`,
    '',
    `${s.pass} passed, ${s.fail} failed, ${s.error} errored, ${s.skip} skipped in ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
    '| adapter | scenario | seed | status | delivered | lost | rec/s | call p99 (µs) | wall (s) |',
    '|---|---|---:|---|---:|---:|---:|---:|---:|',
    ...report.runs.map(row),
    '',
  ];
  const failing = report.runs.filter((r) => r.status === 'fail' || r.status === 'error');
  if (failing.length > 0) {
    lines.push('### Failing runs', '');
    for (const run of failing) lines.push(...details(run));
  }
  const skipped = report.runs.filter((r) => r.status === 'skip');
  if (skipped.length > 0) {
    lines.push('<details><summary>Skipped runs</summary>', '');
    for (const run of skipped) lines.push(`- ${cell(run.adapter)} × ${cell(run.scenario)} seed ${run.seed}: ${cell(run.reason ?? '')}`);
    lines.push('', '</details>', '');
  }
  const e = report.environment;
  lines.push(`<sub>Node ${cell(e.node)} · ${cell(`${e.platform}/${e.arch}`)} · ${e.cpus} × ${cell(e.cpuModel)} · logjam ${cell(e.logjam)} · \`${code(e.command)}\`</sub>`, '');
  return lines.join('\n');
}

const STATUS: Record<RunResult['status'], string> = { pass: '✅ pass', fail: '❌ fail', skip: '⏭️ skip', error: '⚠️ error' };

function row(r: RunResult): string {
  const m = r.metrics;
  const ran = r.status !== 'skip';
  return `| ${cell(r.adapter)} | ${cell(r.scenario)} | ${r.seed} | ${STATUS[r.status]} | ${ran ? `${m.delivered}/${m.produced}` : ''} | ${ran ? m.lost : ''} | ${m.deliveredPerSec !== undefined ? Math.round(m.deliveredPerSec) : ''} | ${m.callLatencyUs?.p99 ?? ''} | ${ran ? (m.wallMs / 1000).toFixed(1) : ''} |`;
}

function details(run: RunResult): string[] {
  const lines = [`#### ${cell(run.adapter)} × ${cell(run.scenario)} seed ${run.seed}`, ''];
  if (run.reason !== undefined) lines.push(cell(run.reason), '');
  for (const f of run.findings) lines.push(...finding(f));
  lines.push('Replay:', '', ...fenced(run.replay.command, 'sh'), '');
  return lines;
}

function finding(f: Finding): string[] {
  return [`- **${cell(f.kind)}** (${f.severity}): ${cell(f.message)}`, '', ...fenced(JSON.stringify(f.evidence, null, 2), 'json').map((l) => `  ${l}`), ''];
}

/** A fenced block that no backtick run inside can close early. */
function fenced(body: string, lang: string): string[] {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...body.split('\n'), fence];
}

/** Inline text: HTML and table syntax neutralised, one line. */
export function cell(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
    .replace(/[\u0000-\u001F\u007F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text inside single backticks: no backtick may end it. */
function code(value: string): string {
  return value.replace(/`/g, "'").replace(/[\r\n]+/g, ' ');
}

/** How the benchmark iterations were sized, in words. */
export function benchSizing(model: CompareModel): string {
  return model.bench.records !== undefined
    ? `${model.bench.records} records per producer thread (fixed)`
    : `each iteration sized by a calibration run to at least ${model.bench.minLoggingMs} ms of logging`;
}

/** The comparison as Markdown: the verdict matrix and the benchmark table. */
export function compareMarkdown(model: CompareModel): string {
  const scenarios = model.scenarios.map((s) => s.name);
  const lines = [
    '## logjam compare',
    '',
    `\`${code(model.command)}\` · ${cell(model.generatedAt)}`,
    '',
    `| adapter | ${scenarios.map(cell).join(' | ')} |`,
    `|---|${scenarios.map(() => '---').join('|')}|`,
  ];
  for (const a of model.adapters) {
    const cells = scenarios.map((s) => {
      const runs = model.report.runs.filter((r) => r.adapter === a.name && r.scenario === s);
      if (runs.length === 0) return '';
      const worst = (['error', 'fail', 'pass', 'skip'] as const).find((st) => runs.some((r) => r.status === st)) ?? 'skip';
      const kinds = [...new Set(runs.flatMap((r) => r.findings.filter((f) => f.severity === 'error').map((f) => f.kind)))];
      return `${STATUS[worst]}${kinds.length > 0 ? ` ${kinds.map(cell).join(', ')}` : ''}`;
    });
    lines.push(`| ${cell(a.name)} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    `Benchmarks: ${benchSizing(model)}, ${model.bench.iterations} iteration(s) per case, each its own process; every figure is median (min–max) over the iterations. Delivered/s: records in the file over the time from the first call to the last write into it. Shutdown: last call to last close. CPU: the whole process's, per delivered record. Latency, memory and loop delay: the median iteration's.`,
    '',
    '| adapter | shape | threads | logged/thread | delivered/s | shutdown ms | CPU ns/record | logging ms | delivered | call p50 µs | p99 µs | p99.9 µs | peak RSS MB | event-loop p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const b of model.benchmarks) {
    const s = b.median;
    const shape = `${b.shape}${b.shape !== 'simple' && !b.fields ? ' (message only)' : ''}`;
    if (b.status !== 'ok' || s === undefined || b.spread === undefined) lines.push(`| ${cell(b.adapter)} | ${shape} | ${b.threads} | | ${b.status}: ${cell(b.reason ?? '')} | | | | | | | | | |`);
    else {
      const p = b.spread;
      const size = `${Math.round(s.produced / b.threads)}${b.sizing.by === 'time' && b.sizing.capped ? ' (capped)' : ''}`;
      lines.push(
        `| ${cell(b.adapter)} | ${shape} | ${b.threads} | ${size} | ${formatSpread(p.deliveredPerSec)} | ${formatSpread(p.shutdownMs, 1)} | ${formatSpread(p.cpuNsPerRecord)} | ${formatSpread(p.loggingMs)} | ${s.delivered}/${s.produced} | ${s.callLatencyUs.p50} | ${s.callLatencyUs.p99} | ${s.callLatencyUs.p999} | ${s.peakRssMb} | ${s.eventLoopDelayMs?.p99 ?? 'n/a'} |`,
      );
    }
  }
  const ranked = rankings(model.benchmarks);
  if (ranked.length > 0) {
    lines.push('', 'Ranking by median delivered records/s (≈: the spreads overlap, so the order of the two is within the noise):', '');
    for (const r of ranked) lines.push(`- ${r.shape} ×${r.threads}: ${r.rows.map((row, i) => `${cell(row.adapter)} ${Math.round(row.deliveredPerSec.median)}${i < r.rows.length - 1 ? (row.overlapsNext ? ' ≈' : ' >') : ''}`).join(' ')}`);
  }
  const e = model.report.environment;
  lines.push('', `Node ${cell(nodeLine(model.node, e.node))} · ${cell(`${model.os.type} ${model.os.release}`)} · ${e.cpus} × ${cell(e.cpuModel)} · ${model.adapters.map((a) => cell(`${a.name}: ${Object.entries(a.versions).map(([k, v]) => `${k}@${v}`).join(' ')}`)).join(' · ')}`, '');
  return lines.join('\n');
}

/** The loggers' Node and, when `--node` chose another, the one logjam itself ran on. */
export function nodeLine(loggers: string | undefined, supervisor: string): string {
  return loggers === undefined || loggers === supervisor ? supervisor : `${loggers} (--node; logjam itself on ${supervisor})`;
}
