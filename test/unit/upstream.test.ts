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
