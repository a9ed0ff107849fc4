/**
 * Triage as `logjam findings` prints it (reports/upstream.ts): the memory findings issue 13's
 * oracle made on bunyan and log4js, checked against their docs and source.
 */

import { describe, expect, it } from 'vitest';
import { EMPTY_METRICS, type Finding, type Report, type RunResult } from '../../harness/contract/result.js';
import { findingsMarkdown } from '../../reports/findings.js';
import { upstreamFor } from '../../reports/upstream.js';

const memory: Finding = {
  kind: 'unbounded-memory',
  severity: 'error',
  message: 'Resident memory grew 25.1 MB, 9.34 bytes per byte of backlog, while up to 13365 records (2.77 MB) waited for the slow sink: the logger buffers the backlog in memory',
  evidence: { rssGrowthMb: 25.1, backlogMbAtDeepest: 2.77 },
};

function failing(adapter: string, scenario: string): RunResult {
  return {
    adapter,
    scenario,
    seed: 7,
    status: 'fail',
    findings: [memory],
    metrics: { ...EMPTY_METRICS, produced: 100, delivered: 100 },
    replay: { command: `npx logjam run --adapter ${adapter} --scenario ${scenario} --seed 7`, adapter, scenario, seed: 7 },
  };
}

function report(runs: RunResult[]): Report {
  return {
    schema: 'logjam.report/1',
    startedAt: '2026-12-01T13:00:00.000Z',
    durationMs: 60_000,
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', totalMemoryMb: 4096, logjam: '0.1.0', command: 'logjam run' },
    runs,
    summary: { pass: 0, fail: runs.length, skip: 0, error: 0 },
  };
}

describe('the triage of memory that grows with the backlog', () => {
  it.each(['bunyan-file', 'bunyan-stream', 'bunyan-rotating'])('%s: new, confirmed in bunyan\'s source (its streams ignore write()\'s return), with the nearest thread', (adapter) => {
    for (const scenario of ['slow-sink', 'stalled-sink']) {
      expect(upstreamFor(adapter, scenario, memory)).toMatchObject({ triage: 'new', links: [{ url: 'https://github.com/trentm/node-bunyan/issues/533' }] });
    }
  });

  it.each(['log4js-file', 'log4js-rotating'])('%s: a documented trade-off (log4js:pause), with the docs', (adapter) => {
    for (const scenario of ['slow-sink', 'stalled-sink']) {
      expect(upstreamFor(adapter, scenario, memory)?.triage).toBe('trade-off');
      expect(upstreamFor(adapter, scenario, memory)?.links[0]?.url).toBe('https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage');
    }
  });

  it('is printed by logjam findings for each cell', () => {
    const md = findingsMarkdown(report([failing('bunyan-file', 'slow-sink'), failing('log4js-file', 'stalled-sink')]));
    expect(md).toContain("Triage: new: confirmed in the logger's source, no upstream issue reports it.");
    expect(md).toContain('[trentm/node-bunyan#533 Excessive memory consumption in a tight loop (open; related, not diagnosed)](https://github.com/trentm/node-bunyan/issues/533)');
    expect(md).toContain('Triage: a documented trade-off of this configuration: the logger does what its documentation says, not a bug (the scenario still counts it where its oracle forbids it).');
    expect(md).toContain('(https://log4js-node.github.io/log4js-node/dateFile.html#memory-usage)');
  });

  it('gives no section to a cell whose only findings come from runs that were not judged (skipped)', () => {
    const skipped: RunResult = { ...failing('log4js-http', 'startup-burst'), status: 'skip', reason: 'not judged: the logger opened more than 1024 connections to the collector at once' };
    const md = findingsMarkdown(report([skipped, failing('bunyan-file', 'slow-sink')]));
    expect(md).toContain('### `bunyan-file` × `slow-sink`');
    expect(md).not.toContain('### `log4js-http` × `startup-burst`');
    expect(md).toContain('| `log4js-http` | `startup-burst` | 1 | 0 / 0 / 0 / 1 | skipped: not judged');
  });

  it.each(['winston-file', 'winston-stream', 'winston-rotating'])("%s: new, confirmed in winston's source (log() returns the logger, not write()'s answer)", (adapter) => {
    for (const scenario of ['slow-sink', 'stalled-sink']) {
      expect(upstreamFor(adapter, scenario, memory)).toMatchObject({ triage: 'new', links: [{ url: 'https://github.com/winstonjs/winston/blob/master/lib/winston/logger.js' }] });
    }
  });

  it('leaves memory growth in other loggers untriaged', () => {
    expect(upstreamFor('reference', 'slow-sink', memory)).toBeUndefined();
    expect(upstreamFor('winston-file', 'steady', memory)).toBeUndefined();
  });
});

describe("the triage of pino-tcp's lost tails", () => {
  const lost: Finding = { kind: 'lost-records', severity: 'error', message: '33261 of 71852 records were lost in flight: neither delivered nor reported dropped', evidence: { lost: 33261 } };
  const atExit: Finding = { kind: 'exit-loss', severity: 'error', message: '1271 of 2121 records were lost at exit: neither delivered nor reported dropped', evidence: { lost: 1271 } };

  it.each(['steady', 'startup-burst'])('%s: new, confirmed in pino-socket\'s source (end() destroys a socket that still holds data)', (scenario) => {
    for (const finding of [lost, atExit]) {
      expect(upstreamFor('pino-tcp', scenario, finding)).toMatchObject({ triage: 'new', links: [{ url: 'https://github.com/pinojs/pino-socket/blob/master/lib/TcpConnection.js' }] });
    }
  });

  it("leaves losses under injected collector faults (resets lose what was in flight), at exit (the in-process collector dies with the run's process), and other pino adapters' losses, untriaged", () => {
    expect(upstreamFor('pino-tcp', 'tcp-collector', lost)).toBeUndefined();
    expect(upstreamFor('pino-tcp', 'graceful-exit', atExit)).toBeUndefined();
    expect(upstreamFor('pino-tcp', 'natural-exit', atExit)).toBeUndefined();
    expect(upstreamFor('pino-transport', 'steady', lost)).toBeUndefined();
  });
});

describe("the triage of the HTTP shippers' losses", () => {
  const lost = (missing: unknown): Finding => ({ kind: 'lost-records', severity: 'error', message: '5373 of 35373 records were lost in flight', evidence: { missing } });

  it("calls pino-loki's loss of each logger's oldest records its documented buffer cap, and not a loss elsewhere", () => {
    const oldest = lost([{ producer: 0, from: 0, to: 1790 }, { producer: 1, from: 0, to: 1790 }]);
    const rule = upstreamFor('pino-loki', 'steady', oldest);
    expect(rule?.triage).toBe('trade-off');
    expect(rule?.links[0]?.url).toContain('maxbuffersize');
    expect(upstreamFor('pino-loki', 'steady', lost([{ producer: 0, from: 500, to: 600 }]))).toBeUndefined();
  });

  it("calls pino-loki's failed-push loss documented only where the collector failed pushes", () => {
    const any = lost([{ producer: 0, from: 0, to: 299 }]);
    expect(upstreamFor('pino-loki', 'http-collector', any, { fault: 'status', status: 503 })?.triage).toBe('trade-off');
    expect(upstreamFor('pino-loki', 'http-collector', any, { fault: 'slow' })).toBeUndefined();
  });

  it("names log4js-http's shutdown that does not wait, and its failed requests, new", () => {
    expect(upstreamFor('log4js-http', 'hostile-input', lost([]))?.note).toMatch(/no shutdown function/);
    expect(upstreamFor('log4js-http', 'http-collector', lost([]), { fault: 'reset' })?.note).toMatch(/console\.error: no retry, no count/);
    // A slow or stalled collector fails no request: a loss there is not explained by that drop.
    expect(upstreamFor('log4js-http', 'http-collector', lost([]), { fault: 'stall' })).toBeUndefined();
    expect(upstreamFor('log4js-http', 'steady', lost([]))).toBeUndefined();
  });
});
