/**
 * The terminal reporter: one line per run as it ends, its findings with their evidence, the
 * replay command of every failing run, and a summary.
 */

import { Chalk, type ChalkInstance } from 'chalk';
import type { ThreadStatus } from '../harness/protocol.js';
import type { Finding, Report, RunResult } from '../harness/result.js';
import type { Output, PlannedRun, Reporter } from './reporter.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function chalkFor(out: Output, env: NodeJS.ProcessEnv): ChalkInstance {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const force = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0';
  return new Chalk({ level: noColor ? 0 : force || out.isTTY ? 1 : 0 });
}

export function terminalReporter(out: Output, c: ChalkInstance): Reporter {
  return {
    onRunStart(run) {
      if (out.isTTY) out.write(c.dim(`  … ${label(run)}\r`));
    },
    onRunEnd(run, result) {
      if (out.isTTY) out.write('\u001b[2K');
      out.write(`${status(c, result)} ${label(run)}${c.dim(`  ${facts(result)}`)}\n`);
      if (result.reason !== undefined) out.write(indent(result.status === 'skip' ? c.dim(result.reason) : c.red(result.reason), 6));
      for (const f of result.findings) out.write(finding(c, f));
      if (result.status === 'fail' || result.status === 'error') out.write(indent(c.cyan(`replay: ${result.replay.command}`), 6));
    },
    onEnd(report: Report) {
      const s = report.summary;
      const parts = [
        s.pass > 0 ? c.green(`${s.pass} passed`) : undefined,
        s.fail > 0 ? c.red(`${s.fail} failed`) : undefined,
        s.error > 0 ? c.magenta(`${s.error} errored`) : undefined,
        s.skip > 0 ? c.dim(`${s.skip} skipped`) : undefined,
      ].filter((p) => p !== undefined);
      out.write(`\n${parts.join(', ')} ${c.dim(`in ${(report.durationMs / 1000).toFixed(1)} s`)}\n`);
    },
  };
}

function label(run: PlannedRun): string {
  return `${run.adapter} × ${run.scenario} ${`seed ${run.seed}`}`;
}

function status(c: ChalkInstance, r: RunResult): string {
  switch (r.status) {
    case 'pass':
      return c.green('✓ pass ');
    case 'fail':
      return c.red('✗ fail ');
    case 'skip':
      return c.dim('- skip ');
    case 'error':
      return c.magenta('! error');
  }
}

function facts(r: RunResult): string {
  if (r.status === 'skip') return '';
  const m = r.metrics;
  const parts = [`${m.delivered}/${m.produced} delivered`];
  if (m.lost > 0) parts.push(`${m.lost} lost`);
  if (m.deliveredPerSec !== undefined) parts.push(`${formatRate(m.deliveredPerSec)} rec/s`);
  if (m.callLatencyUs !== undefined) parts.push(`call p99 ${m.callLatencyUs.p99} µs`);
  parts.push(`${(m.wallMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}

function finding(c: ChalkInstance, f: Finding): string {
  const tag = f.severity === 'error' ? c.red(f.kind) : f.severity === 'warning' ? c.yellow(f.kind) : c.dim(f.kind);
  let text = `${tag} ${f.message}\n`;
  const shown = Object.entries(f.evidence).filter(([k]) => k !== 'threads' && k !== 'stderrTail' && k !== 'stack');
  for (const [key, value] of shown) text += c.dim(`  ${key}: ${compact(value)}\n`);
  const stack = f.evidence['stack'];
  if (typeof stack === 'string' && stack !== '') text += c.dim(`  stack:\n${indent(stack.split('\n').slice(0, 8).join('\n'), 4)}`);
  const threads = f.evidence['threads'];
  if (Array.isArray(threads) && threads.length > 0) {
    text += c.dim('  threads:\n');
    for (const t of threads as ThreadStatus[]) {
      text += c.dim(
        `    ${t.name.padEnd(12)} ${t.state.padEnd(8)} ${t.op.padEnd(16)} ${t.produced}/${t.target} records, heartbeat ${t.heartbeatAgeMs} ms ago, progress ${t.progressAgeMs} ms ago\n`,
      );
    }
  }
  return indent(text, 6);
}

function compact(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return `${text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => pad + l)
    .join('\n')}\n`;
}

function formatRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : String(n);
}
