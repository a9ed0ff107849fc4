/**
 * The terminal reporter: one line per run as it ends, its findings with their evidence, the
 * replay command of every failing run, and a summary.
 */

import type { ChalkInstance } from 'chalk';
import { firstFrame, type ThreadStatus } from '../harness/contract/protocol.js';
import type { Finding, Report, RunPhases, RunResult } from '../harness/contract/result.js';
import type { Output, PlannedRun, Reporter } from './reporter.js';
import { shellWord } from '../harness/util/python.js';

export { chalkFor } from './colour.js';

export interface TerminalOptions {
  /** Under each run, where its wall time went (`runs[].phases`; `logjam run --verbose`). */
  readonly phases?: boolean;
}

export function terminalReporter(out: Output, c: ChalkInstance, options: TerminalOptions = {}): Reporter {
  return {
    onRunStart(run) {
      if (out.isTTY) out.write(c.dim(`  … ${label(run)}\r`));
    },
    onRunEnd(run, result) {
      if (out.isTTY) out.write('\u001b[2K');
      out.write(`${status(c, result)} ${label(run)}${c.dim(`  ${facts(result)}`)}\n`);
      if (options.phases === true && result.phases !== undefined) out.write(indent(c.dim(phasesLine(result.phases)), 6));
      if (result.reason !== undefined) out.write(indent(result.status === 'skip' ? c.dim(result.reason) : c.red(result.reason), 6));
      for (const f of result.findings) out.write(finding(c, f));
      if (result.status === 'fail' || result.status === 'error') {
        for (const line of shrinkLines(result)) out.write(indent(line, 6));
        const s = result.schedule;
        if (s !== undefined && s.spec.mode === 'controlled') {
          const p = s.spec.preemptions;
          out.write(indent(c.dim(`schedule: ${p.length} preemption(s) ${JSON.stringify(p)}, ${s.steps ?? 0} steps${s.abandoned === true ? ' (a thread outwaited its turn: not fully controlled)' : ''}`), 6));
          for (const line of (s.trace ?? []).slice(-12)) out.write(indent(c.dim(`  ${line}`), 6));
        }
        out.write(indent(c.cyan(`replay: ${result.replay.command}`), 6));
        if (result.replay.file !== undefined) out.write(indent(c.dim(`  same as: ${replayRunCommand(result)}`), 6));
      }
    },
    onShrink(run, event) {
      if (event.phase === 'start') out.write(c.dim(`  shrinking ${label(run)} (failing with ${event.kinds.join(', ')})…\n`));
      else if (out.isTTY) out.write(c.dim(`  … ${event.failed ? 'still fails' : 'passes'}: ${JSON.stringify(event.params)}\r`) + '\u001b[K');
    },
    onEnd(report: Report) {
      const s = report.summary;
      const parts = [
        s.pass > 0 ? c.green(`${s.pass} passed`) : undefined,
        s.fail > 0 ? c.red(`${s.fail} failed`) : undefined,
        s.error > 0 ? c.magenta(`${s.error} errored`) : undefined,
        s.skip > 0 ? c.dim(`${s.skip} skipped`) : undefined,
      ].filter((p) => p !== undefined);
      // Over repeated runs, each finding's rate: a bug seen in some runs only is a rate, not a verdict.
      const repeated = (report.rates ?? []).filter((r) => r.runs > 1);
      if (repeated.length > 0) {
        out.write(`\n${c.bold('Finding rates')}\n`);
        for (const r of repeated) {
          const pct = `${Math.round(r.rate * 100)} %`;
          const seeds = r.seeds.length > 6 ? `${r.seeds.slice(0, 6).join(', ')}, …` : r.seeds.join(', ');
          out.write(`  ${(r.failing > 0 ? c.red : c.yellow)(r.kind.padEnd(18))} ${r.adapter} × ${r.scenario}  ${r.seen}/${r.runs} runs (${pct})${c.dim(`  seeds ${seeds}`)}\n`);
        }
      }
      out.write(`\n${parts.join(', ')} ${c.dim(`in ${(report.durationMs / 1000).toFixed(1)} s`)}\n`);
    },
  };
}

function shrinkLines(r: RunResult): string[] {
  if (r.shrink === undefined) return [];
  if (!r.shrink.reproduced) return [`shrink: the failure did not come back on a re-run with the same parameters, so it was not shrunk (${r.shrink.runs} runs)`];
  return [
    `shrunk in ${r.shrink.runs} runs (${r.shrink.shrinks} steps) to ${JSON.stringify(r.params)}`,
    `  from ${JSON.stringify(r.shrink.original)}`,
    `seed ${r.seed} path ${r.replay.path ?? '(none: the original was already smallest)'}`,
  ];
}

/** The `logjam run` form of a replay, for when the file is not at hand. */
function replayRunCommand(r: RunResult): string {
  const { adapter, scenario, seed, path } = r.replay;
  const mode = r.schedule !== undefined ? ` --schedule ${r.schedule.spec.mode}` : '';
  const python = r.replay.python !== undefined ? ` --python ${shellWord(r.replay.python)}` : '';
  const node = r.replay.node !== undefined ? ` --node ${r.replay.node}` : '';
  return `npx logjam run --adapter ${adapter} --scenario ${scenario} --seed ${seed}${mode}${path !== undefined ? ` --path ${path}` : ''}${python}${node}`;
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
  // A run on another Node (`--node`) says which, as its process reported it.
  if (r.node !== undefined && r.node !== process.version) parts.push(`Node ${r.node}`);
  return parts.join(' · ');
}

/** `ready 120 · setup 340 (threads 210) · scenario 500 · shutdown 40 · exit 90 · read-back 20 ms, warm`. */
export function phasesLine(p: RunPhases): string {
  const threads = p.threads !== undefined ? ` (threads: harness ${p.threads.harness}, adapter ${p.threads.adapter}, ready ${p.threads.ready})` : '';
  const parts = [`ready ${p.ready}`, `setup ${p.setup}${threads}`, `scenario ${p.scenario}`, `shutdown ${p.shutdown}`, `exit ${p.exit}`, `read-back ${p.readBack} ms`];
  const notes = [p.warm ? 'warm process' : 'cold process', ...(p.missing !== undefined ? [`not reported: ${p.missing.join(', ')}`] : [])];
  return `${parts.join(' · ')}, ${notes.join(', ')}`;
}

/** Evidence keys drawn in their own shape below the one-line facts. */
const DRAWN = new Set(['threads', 'stderrTail', 'stack', 'scenario', 'edges', 'signature']);

function finding(c: ChalkInstance, f: Finding): string {
  const tag = f.severity === 'error' ? c.red(f.kind) : f.severity === 'warning' ? c.yellow(f.kind) : c.dim(f.kind);
  let text = `${tag} ${f.message}\n`;
  for (const [key, value] of Object.entries(f.evidence)) {
    if (!DRAWN.has(key)) text += c.dim(`  ${key}: ${compact(value)}\n`);
  }
  const stack = f.evidence['stack'];
  if (typeof stack === 'string' && stack !== '') text += c.dim(`  stack:\n${indent(stack.split('\n').slice(0, 8).join('\n'), 4)}`);
  const edges = f.evidence['edges'];
  if (Array.isArray(edges)) {
    for (const e of edges as { from: string; to: string; thread: string; site: string; guards: string[] }[]) {
      text += `  ${c.bold(`${e.from} → ${e.to}`)} first taken by ${e.thread}${e.guards.length > 0 ? ` holding ${e.guards.join(', ')}` : ''}:\n`;
      text += c.dim(indent(frames(e.site), 4));
    }
  }
  const threads = f.evidence['threads'];
  if (Array.isArray(threads) && threads.length > 0) text += f.kind === 'deadlock' ? deadlockThreads(c, threads as DeadlockThread[]) : boardThreads(c, threads as ThreadStatus[]);
  const scenario = f.evidence['scenario'];
  if (Array.isArray(scenario)) text += `  possible interleaving:\n${indent((scenario as string[]).join('\n'), 4)}`;
  return indent(text, 6);
}

interface DeadlockThread {
  thread: string;
  holds: { lock: string; site: string }[];
  waitsFor: string;
  waitSite: string;
}

function deadlockThreads(c: ChalkInstance, threads: readonly DeadlockThread[]): string {
  let text = '';
  for (const t of threads) {
    text += `  ${c.bold(t.thread)} waits for ${t.waitsFor} at:\n${c.dim(indent(frames(t.waitSite), 4))}`;
    for (const h of t.holds) text += `    holding ${h.lock}, taken at:\n${c.dim(indent(frames(h.site), 6))}`;
  }
  return text;
}

function boardThreads(c: ChalkInstance, threads: readonly ThreadStatus[]): string {
  let text = c.dim('  threads:\n');
  for (const t of threads) {
    const records = t.target > 0 ? `${t.produced}/${t.target} records, ` : '';
    text += c.dim(`    ${t.name.padEnd(12)} ${t.state.padEnd(8)} ${t.op.padEnd(16)} ${records}heartbeat ${t.heartbeatAgeMs} ms ago, progress ${t.progressAgeMs} ms ago\n`);
    for (const h of t.held ?? []) text += c.dim(`      holds ${h.lock}${h.site !== '' ? ` (${firstFrame(h.site)})` : ''}\n`);
    const w = t.waiting;
    if (w !== undefined) {
      const holders = w.holders !== undefined && w.holders.length > 0 ? ` held by ${w.holders.join(', ')}` : '';
      const notified = w.notifiedBy !== undefined ? (w.notifiedBy.length > 0 ? `, last notified by ${w.notifiedBy.join(', ')}` : ', never notified by a thread of the run') : '';
      text += `      ${c.yellow('waits')} on ${w.kind} ${w.on}${holders} for ${w.forMs} ms${notified}, at:\n${c.dim(indent(frames(w.site), 8))}`;
    }
  }
  return text;
}

/** The first few frames of a captured site, one per line. */
function frames(site: string): string {
  return site === '' ? '(site not captured)\n' : `${site.split('\n').slice(0, 4).join('\n')}\n`;
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
