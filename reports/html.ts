/**
 * The comparison report as one self-contained HTML file: a pure view of the compare model.
 * Everything it needs is inside (styles, Chart.js, the data), so it opens offline.
 *
 * Log content is hostile by assumption (a torn record, an error message, a user's payload):
 * every string from the model goes through `escapeHtml` into text, never into markup or
 * script; chart data travels as JSON in a non-executed <script type="application/json">
 * with `<`, `>`, `&` and U+2028/2029 escaped, and is read with JSON.parse. A Content Security
 * Policy admits only this file's own scripts by hash, so an event-handler attribute that
 * slipped through would still not run.
 */

import { createHash } from 'node:crypto';
import type { BenchmarkResult } from '../harness/contract/benchmark-protocol.js';
import { formatSpread, rankings } from './ranking.js';
import { benchSizing, nodeLine } from './markdown.js';
import type { Finding, RunResult, RunStatus } from '../harness/contract/result.js';
import type { CompareModel } from './compare-model.js';

export function compareHtml(model: CompareModel, chartJsSource: string): string {
  const chartJs = chartJsSource.replace(/<\/script/gi, '<\\/script');
  const draw = DRAW_SCRIPT;
  const csp = [
    "default-src 'none'",
    `script-src ${[chartJs, draw].map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).join(' ')}`,
    "style-src 'unsafe-inline'",
  ].join('; ');
  const e = model.report.environment;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>logjam compare</title>
<style>${STYLE}</style>
</head>
<body>
<h1>logjam compare</h1>
<p class="meta">Generated ${escapeHtml(model.generatedAt)} by <code>${escapeHtml(model.command)}</code></p>

<h2>Verdicts</h2>
<p>Each cell is one adapter under one scenario (${countSeeds(model)} seed(s)); open it for the findings, their evidence and the command that replays the run.</p>
${verdictMatrix(model)}

<h2>Benchmarks</h2>
<p>Delivered records per second: records in the sink file after every logger closed (a logger that only buffers in memory is not faster for it), over the time from the first call to the last write into the file. Shutdown: from the last call to the last close. CPU: the whole process's, per delivered record. ${escapeHtml(benchSizing(model))}; ${model.bench.iterations} iteration(s) per case, each its own process, run in rounds across the cases; every figure is median (min–max) over the iterations. Call latency from an HdrHistogram of every call, in the median iteration.</p>
${rankingList(model)}
<div class="charts">
${model.bench.threads.map((t) => `<figure><canvas id="chart-rate-${t}" width="640" height="320" aria-label="delivered records per second, ${t} producer thread(s)"></canvas><figcaption>Delivered records/s, ${t} producer thread(s)</figcaption></figure>`).join('\n')}
<figure><canvas id="chart-p99" width="640" height="320" aria-label="call latency p99"></canvas><figcaption>Call latency p99 (µs), ${Math.max(...model.bench.threads, 1)} producer thread(s)</figcaption></figure>
</div>
${benchTable(model.benchmarks)}

<h2>Environment</h2>
<table class="env">
<tr><th>Node</th><td>${escapeHtml(nodeLine(model.node, e.node))}</td></tr>
<tr><th>OS</th><td>${escapeHtml(`${model.os.type} ${model.os.release} (${e.platform}/${e.arch})`)}</td></tr>
<tr><th>CPU</th><td>${e.cpus} × ${escapeHtml(e.cpuModel)}</td></tr>
<tr><th>Memory</th><td>${e.totalMemoryMb} MB</td></tr>
<tr><th>logjam</th><td>${escapeHtml(e.logjam)}</td></tr>
<tr><th>Command</th><td><code>${escapeHtml(model.command)}</code></td></tr>
</table>
<h3>Adapters</h3>
<table class="env">
<tr><th>adapter</th><th>configuration</th><th>versions</th></tr>
${model.adapters.map((a) => `<tr><td>${escapeHtml(a.name)}</td><td>${escapeHtml(a.description)}</td><td>${escapeHtml(Object.entries(a.versions).map(([k, v]) => `${k}@${v}`).join(' '))}</td></tr>`).join('\n')}
</table>

<script type="application/json" id="logjam-chart-data">${jsonForScript(chartData(model))}</script>
<script>${chartJs}</script>
<script>${draw}</script>
</body>
</html>
`;
}

/** Text for HTML text and attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that cannot end its <script> element or break the parser: `</script>`, `<!--`, U+2028/2029. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const RANK: Record<RunStatus, number> = { error: 3, fail: 2, pass: 1, skip: 0 };
const MARK: Record<RunStatus, string> = { pass: '✓ pass', fail: '✗ fail', skip: '– skip', error: '! error' };

function verdictMatrix(model: CompareModel): string {
  const scenarios = model.scenarios.map((s) => s.name);
  const head = `<tr><th>adapter \\ scenario</th>${scenarios.map((s) => `<th title="${escapeHtml(model.scenarios.find((x) => x.name === s)?.description ?? '')}">${escapeHtml(s)}</th>`).join('')}</tr>`;
  const rows = model.adapters.map((a) => {
    const cells = scenarios.map((s) => {
      const runs = model.report.runs.filter((r) => r.adapter === a.name && r.scenario === s);
      if (runs.length === 0) return '<td class="none">not run</td>';
      const worst = runs.reduce((w, r) => (RANK[r.status] > RANK[w] ? r.status : w), 'skip' as RunStatus);
      const count = runs.filter((r) => r.status === worst).length;
      return `<td class="${worst}"><details><summary>${MARK[worst]}${runs.length > 1 ? ` ${count}/${runs.length}` : ''}</summary>${runs.map(runDetails).join('')}</details></td>`;
    });
    return `<tr><th>${escapeHtml(a.name)}</th>${cells.join('')}</tr>`;
  });
  return `<table id="verdicts" class="matrix">\n${head}\n${rows.join('\n')}\n</table>`;
}

function runDetails(run: RunResult): string {
  const m = run.metrics;
  const facts = run.status === 'skip' ? '' : `<p class="facts">${m.delivered}/${m.produced} delivered · ${m.lost} lost · ${(m.wallMs / 1000).toFixed(1)} s</p>`;
  return `<div class="run"><p><strong>seed ${run.seed}</strong>: ${MARK[run.status]}</p>${run.reason !== undefined ? `<p class="reason">${escapeHtml(run.reason)}</p>` : ''}${facts}${run.findings.map(findingDetails).join('')}<p>replay: <code class="replay">${escapeHtml(run.replay.command)}</code></p></div>`;
}

function findingDetails(f: Finding): string {
  return `<div class="finding ${f.severity}"><p><span class="kind">${escapeHtml(f.kind)}</span> <span class="severity">${f.severity}</span> <span class="message">${escapeHtml(f.message)}</span></p><pre class="evidence">${escapeHtml(JSON.stringify(f.evidence, null, 2))}</pre></div>`;
}

function benchTable(results: readonly BenchmarkResult[]): string {
  const rows = results.map((b) => {
    const s = b.median;
    const shape = `${escapeHtml(b.shape)}${b.shape !== 'simple' && !b.fields ? ' <span class="note" title="the adapter takes no structured fields: it logged the message only">(message only)</span>' : ''}`;
    if (b.status !== 'ok' || s === undefined || b.spread === undefined) {
      return `<tr><td>${escapeHtml(b.adapter)}</td><td>${shape}</td><td>${b.threads}</td><td colspan="12" class="${b.status}">${escapeHtml(`${b.status}: ${b.reason ?? ''}`)}</td></tr>`;
    }
    const lat = s.callLatencyUs;
    const p = b.spread;
    const size = `${Math.round(s.produced / b.threads).toLocaleString('en')}${b.sizing.by === 'time' && b.sizing.capped ? ' (capped)' : ''}`;
    return `<tr><td>${escapeHtml(b.adapter)}</td><td>${shape}</td><td>${b.threads}</td><td class="num">${size}</td><td class="num">${formatSpread(p.deliveredPerSec)}</td><td class="num">${formatSpread(p.shutdownMs, 1)}</td><td class="num">${formatSpread(p.cpuNsPerRecord)}</td><td class="num">${formatSpread(p.loggingMs)}</td><td class="num">${s.delivered}/${s.produced}</td><td class="num">${lat.p50}</td><td class="num">${lat.p99}</td><td class="num">${lat.p999}</td><td class="num">${lat.max}</td><td class="num">${s.peakRssMb}</td><td class="num">${s.eventLoopDelayMs?.p99 ?? 'n/a'}</td></tr>`;
  });
  return `<table id="benchmarks">
<tr><th>adapter</th><th>shape</th><th>threads</th><th>logged/thread</th><th>delivered/s</th><th>shutdown ms</th><th>CPU ns/record</th><th>logging ms</th><th>delivered</th><th>call p50 µs</th><th>p99 µs</th><th>p99.9 µs</th><th>max µs</th><th>peak RSS MB</th><th>event-loop p99 ms</th></tr>
${rows.join('\n')}
</table>`;
}

/** The ranking per shape and thread count; ≈ where two neighbours' spreads overlap. */
function rankingList(model: CompareModel): string {
  const ranked = rankings(model.benchmarks);
  if (ranked.length === 0) return '';
  const items = ranked.map(
    (r) =>
      `<li><strong>${escapeHtml(r.shape)} ×${r.threads}</strong>: ${r.rows
        .map((row, i) => `${escapeHtml(row.adapter)} <span class="num">${Math.round(row.deliveredPerSec.median).toLocaleString('en')}</span>${i < r.rows.length - 1 ? (row.overlapsNext ? ' <span title="the spreads overlap: within the noise">≈</span>' : ' &gt;') : ''}`)
        .join(' ')}</li>`,
  );
  return `<h3>Ranking by median delivered records/s</h3>\n<ul id="ranking">\n${items.join('\n')}\n</ul>`;
}

interface ChartData {
  readonly shapes: readonly string[];
  readonly adapters: readonly string[];
  readonly threads: readonly number[];
  /** rate[threads][adapter][shape] and p99[adapter][shape] (at the most threads); null where none. */
  readonly rate: Readonly<Record<string, readonly (readonly (number | null)[])[]>>;
  readonly p99: readonly (readonly (number | null)[])[];
}

function chartData(model: CompareModel): ChartData {
  const shapes = [...new Set(model.benchmarks.map((b) => b.shape))];
  const adapters = [...new Set(model.benchmarks.map((b) => b.adapter))];
  const most = Math.max(...model.bench.threads, 1);
  const pick = (adapter: string, shape: string, threads: number): BenchmarkResult | undefined =>
    model.benchmarks.find((b) => b.adapter === adapter && b.shape === shape && b.threads === threads);
  const rate: Record<string, (number | null)[][]> = {};
  for (const t of model.bench.threads) rate[String(t)] = adapters.map((a) => shapes.map((s) => pick(a, s, t)?.median?.deliveredPerSec ?? null));
  return { shapes, adapters, threads: model.bench.threads, rate, p99: adapters.map((a) => shapes.map((s) => pick(a, s, most)?.median?.callLatencyUs.p99 ?? null)) };
}

function countSeeds(model: CompareModel): number {
  return new Set(model.report.runs.map((r) => r.seed)).size;
}

/** Reads the chart data (JSON, never markup) and draws with Chart.js; no animation, so it draws at once. */
const DRAW_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('logjam-chart-data').textContent);
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  function bars(id, series, yTitle) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: data.shapes,
        datasets: data.adapters.map(function (a, i) { return { label: a, data: series[i], backgroundColor: palette[i % palette.length] }; })
      },
      options: { animation: false, responsive: false, scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } } } }
    });
  }
  data.threads.forEach(function (t) { bars('chart-rate-' + t, data.rate[String(t)], 'delivered records/s'); });
  bars('chart-p99', data.p99, 'call latency p99 (µs)');
  document.body.setAttribute('data-charts', 'drawn');
})();
`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #111; max-width: 80rem; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre.evidence { background: #f6f6f6; padding: .5rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.matrix td { min-width: 8rem; }
.matrix td.pass summary { color: #15803d; } .matrix td.fail { background: #fef2f2; } .matrix td.fail summary { color: #b91c1c; font-weight: 600; }
.matrix td.error summary { color: #7e22ce; font-weight: 600; } .matrix td.skip summary, td.none { color: #888; }
.run { border-top: 1px solid #eee; margin-top: .4rem; padding-top: .3rem; max-width: 40rem; }
.kind { font-weight: 600; } .severity { color: #666; font-size: 12px; } .note { color: #888; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; } figcaption { color: #555; text-align: center; }
.meta { color: #555; }
`;

