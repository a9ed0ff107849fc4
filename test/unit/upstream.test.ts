/**
 * Triage of Python cells in FINDINGS.md: the seed's asyncio recipe loses what its never-stopped
 * QueueListener still holds, as the standard library documents; the same loss from another
 * Python adapter is not explained away by that rule.
 */

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/contract/result.js';
import { upstreamFor } from '../../reports/upstream.js';

const lost: Finding = { kind: 'lost-records', severity: 'error', message: '16554 of 35373 records were lost in flight', evidence: {} };

describe('upstream triage of Python cells', () => {
  it("links python-asyncio's loss to QueueListener.stop()'s documented requirement", () => {
    const rule = upstreamFor('python-asyncio', 'steady', lost);
    expect(rule?.triage).toBe('confirmed');
    expect(rule?.links[0]?.url).toContain('QueueListener.stop');
    expect(upstreamFor('python-asyncio', 'exit-after-logging', { ...lost, kind: 'exit-loss', severity: 'warning' })).toBe(rule);
  });

  it('leaves the same loss from the queue adapter, which stops its listener, unexplained', () => {
    expect(upstreamFor('python-queue', 'steady', lost)).toBeUndefined();
  });
});

describe('upstream triage of hostile-input cells', () => {
  const threw = (message: string): Finding => ({ kind: 'unhandled-error', severity: 'error', message, evidence: {} });

  it("links bunyan's BigInt throw to node-bunyan#662 and calls its deep-nesting throw new", () => {
    const bigint = upstreamFor('bunyan-file', 'hostile-input', threw('log() threw at the caller on a record with a BigInt value (JSON.stringify throws on it): TypeError: Do not know how to serialize a BigInt'));
    expect(bigint).toMatchObject({ triage: 'confirmed', links: [{ url: 'https://github.com/trentm/node-bunyan/issues/662' }, expect.anything()] });
    const deep = upstreamFor('bunyan-stream', 'hostile-input', threw('log() threw at the caller on a record with an object nested 20 000 levels deep: RangeError: Maximum call stack size exceeded'));
    expect(deep?.triage).toBe('new');
    expect(deep?.note).toContain('safe-json-stringify');
  });

  it("names the logger's own uncaught throw as the cause of winston's and log4js-tcp's death in closing", () => {
    const crash: Finding = { kind: 'crash', severity: 'error', message: 'The process died with exit code 1 during closing', evidence: {} };
    expect(upstreamFor('winston-rotating', 'hostile-input', crash)?.note).toContain('logger.js:337');
    expect(upstreamFor('log4js-tcp', 'hostile-input', crash)).toMatchObject({ triage: 'confirmed', links: [{ url: 'https://github.com/log4js-node/log4js-node/issues/1417' }] });
    // A crash of the same loggers elsewhere is not explained by the hostile input.
    expect(upstreamFor('log4js-tcp', 'steady', crash)).toBeUndefined();
  });
});
