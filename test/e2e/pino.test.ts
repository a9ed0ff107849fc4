/**
 * End to end against the real pino from the registry: one full `logjam run` per adapter and
 * scenario, asserting what really happens.
 */

import { describe, expect, it } from 'vitest';
import { logjamReport } from './helpers.js';

describe.each(['pino-sync', 'pino-async', 'pino-transport'])('%s', (adapter) => {
  it('delivers every record of a steady multi-threaded load, whole and in order', () => {
    const { cli, report } = logjamReport(['run', '--adapter', adapter, '--scenario', 'steady', '--seed', '1']);
    expect(cli.code).toBe(0);
    const run = report.runs[0]!;
    expect(run.status).toBe('pass');
    expect(run.metrics.produced).toBeGreaterThan(0);
    expect(run.metrics).toMatchObject({ delivered: run.metrics.produced, lost: 0, duplicated: 0, reordered: 0, torn: 0 });
    expect(run.metrics.callLatencyUs?.count).toBe(run.metrics.produced);
    expect(run.metrics.deliveredPerSec).toBeGreaterThan(0);
    expect(run.versions?.['pino']).toMatch(/^\d+\./);
  });

  it('keeps its promise when the documented shutdown runs before exit', () => {
    const { cli, report } = logjamReport(['run', '--adapter', adapter, '--scenario', 'graceful-exit', '--seed', '1']);
    expect(cli.code).toBe(0);
    expect(report.runs[0]).toMatchObject({ status: 'pass', findings: [] });
    expect(report.runs[0]?.metrics.lost).toBe(0);
  });
});

describe('exit-after-logging', () => {
  it('shows pino-sync losing nothing at an immediate process.exit', () => {
    const { cli, report } = logjamReport(['run', '--adapter', 'pino-sync', '--scenario', 'exit-after-logging', '--seed', '1']);
    expect(cli.code).toBe(0);
    expect(report.runs[0]?.metrics.lost).toBe(0);
  });

  // https://github.com/pinojs/pino/issues/2326: the asynchronous destination is not open yet when
  // process.exit runs pino's exit hook, whose flushSync throws; every buffered record is lost.
  it('shows pino-async throwing "sonic boom is not ready yet" and losing its records', () => {
    const { cli, report } = logjamReport(['run', '--adapter', 'pino-async', '--scenario', 'exit-after-logging', '--seed', '1']);
    expect(cli.code).toBe(1);
    const run = report.runs[0]!;
    expect(run.status).toBe('fail');
    const error = run.findings.find((f) => f.kind === 'unhandled-error');
    expect(error?.message).toContain('sonic boom is not ready yet');
    const loss = run.findings.find((f) => f.kind === 'exit-loss');
    expect(loss?.severity).toBe('warning');
    expect(run.metrics.lost).toBe(run.metrics.produced);
    expect(run.replay.command).toMatch(/^npx logjam replay \S*pino-async\.exit-after-logging\.1\.replay\.json$/);
    expect(run.replay).toMatchObject({ adapter: 'pino-async', scenario: 'exit-after-logging', seed: 1 });
  });
});
