/**
 * Triage of the pino cells of the regenerated matrix (reports/upstream.ts), with the findings'
 * messages and evidence as that run wrote them: each rule names the bug checked in pino's,
 * sonic-boom's or thread-stream's source, and stays away from findings it does not explain.
 */

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../harness/contract/result.js';
import { upstreamFor } from '../../reports/upstream.js';

const threw: Finding = {
  kind: 'unhandled-error',
  severity: 'error',
  message: '117 log call(s) on producer-1 threw into the caller; the first, on record 29: injected sink failure on write 30, before writing',
  evidence: { thread: 'producer-1', threw: 117, seq: 29 },
};
const breach: Finding = {
  kind: 'isolation-breach',
  severity: 'error',
  message: 'The healthy sink is missing 234 of 7034 records while the other sink failed 234 of its 7034 writes (every 30th, throwing before writing)',
  evidence: { missing: 234 },
};
const tornJson: Finding = {
  kind: 'torn-records',
  severity: 'error',
  message: '2 delivered lines were not exactly one whole record (2 records arrived only inside them: counted torn, not lost)',
  evidence: { torn: 2, samples: [{ line: 3906, reason: 'line is not one whole JSON value', text: '{"level":30,"time":1{"level":30,"time":1796140783817}' }] },
};
const tornMarkers: Finding = {
  kind: 'torn-records',
  severity: 'error',
  message: '10 delivered lines were not exactly one whole record (10 records arrived only inside them: counted torn, not lost)',
  evidence: { torn: 10, samples: [{ line: 5339, reason: 'more than one record marker on one line', offset: 4194161 }] },
};
const memory: Finding = {
  kind: 'unbounded-memory',
  severity: 'error',
  message: 'Resident memory grew 55.64 MB, 5.38 bytes per byte of backlog, while up to 12203 records (6.55 MB) waited for the slow sink: the logger buffers the backlog in memory',
  evidence: { rssGrowthMb: 55.64 },
};

describe('the triage of the pino cells', () => {
  it.each(['pino-sync', 'pino-async'])("%s × failing-sink: multistream's write loop without a try/catch, pino#1489", (adapter) => {
    for (const finding of [threw, breach]) {
      expect(upstreamFor(adapter, 'failing-sink', finding)).toMatchObject({ triage: 'confirmed', links: [{ url: 'https://github.com/pinojs/pino/issues/1489' }, { url: 'https://github.com/pinojs/pino/pull/2455' }] });
    }
  });

  it("keeps pino#2326's link for 'sonic boom is not ready yet' in any scenario", () => {
    const notReady = { ...threw, message: "producer-0's logger shutdown failed: sonic boom is not ready yet" };
    expect(upstreamFor('pino-async', 'failing-sink', notReady)?.links[0]?.url).toBe('https://github.com/pinojs/pino/issues/2326');
  });

  it("pino-async × stalled-sink: a line torn by fatal()'s flushSync() past the write in flight, sonic-boom#101", () => {
    expect(upstreamFor('pino-async', 'stalled-sink', tornJson)).toMatchObject({ triage: 'confirmed', links: [{ url: 'https://github.com/pinojs/sonic-boom/issues/101' }] });
    // The same tear where no fatal() is logged is not explained by it.
    expect(upstreamFor('pino-async', 'slow-sink', tornJson)).toBeUndefined();
  });

  it.each(['steady', 'startup-burst'])("pino-transport × %s: two record markers on a line, split at thread-stream's ring end (new)", (scenario) => {
    expect(upstreamFor('pino-transport', scenario, tornMarkers)).toMatchObject({ triage: 'new', links: [{ url: 'https://github.com/pinojs/thread-stream/blob/main/index.js' }, { url: 'https://github.com/pinojs/sonic-boom/issues/96' }] });
    // A multi-byte character split at the same boundary keeps the thread-stream#217 link.
    const replaced = { ...tornMarkers, evidence: { samples: [{ reason: 'more than one record marker on one line', text: 'ab\uFFFDcd (U+FFFD)' }] } };
    expect(upstreamFor('pino-transport', scenario, replaced)?.links[0]?.url).toBe('https://github.com/pinojs/thread-stream/pull/217');
  });

  it("leaves pino-transport's pipe tears in torn-lines to the POSIX PIPE_BUF rule", () => {
    expect(upstreamFor('pino-transport', 'torn-lines', tornMarkers, { writers: 'processes', sink: 'pipe' })?.triage).toBe('trade-off');
  });

  it("pino-transport × failing-sink: one target's error ends the worker every target shares (new), whatever the error says", () => {
    const timedOut: Finding = { kind: 'unhandled-error', severity: 'error', message: "producer-1's logger shutdown failed after 10087 ms: _flushSync took too long (10s)", evidence: {} };
    const crash: Finding = { kind: 'crash', severity: 'error', message: "producer-1's thread died: end() took too long (10s)", evidence: {} };
    for (const finding of [breach, timedOut, crash]) expect(upstreamFor('pino-transport', 'failing-sink', finding)?.triage).toBe('new');
    expect(upstreamFor('pino-transport', 'steady', crash)).toBeUndefined();
  });

  it("pino-multistream × slow-sink: sonic-boom's documented unbounded buffer (maxLength), a trade-off", () => {
    expect(upstreamFor('pino-multistream', 'slow-sink', memory)).toMatchObject({ triage: 'trade-off', links: [{ url: 'https://github.com/pinojs/sonic-boom#readme' }, { url: 'https://getpino.io/#/docs/asynchronous' }] });
  });

  it("pino-transport × slow-sink: thread-stream's undocumented main-thread buffer behind a full ring (new)", () => {
    expect(upstreamFor('pino-transport', 'slow-sink', memory)?.triage).toBe('new');
    expect(upstreamFor('pino-sync', 'slow-sink', memory)).toBeUndefined();
  });
  it("pino-pipeline shares pino-transport's causes in front of the worker: exit-listener's lost records and slow-sink's main-thread buffer", () => {
    const exitLoss: Finding = { kind: 'exit-loss', severity: 'error', message: '11 of 123 records were lost at exit: neither delivered nor reported dropped', evidence: {} };
    expect(upstreamFor('pino-pipeline', 'exit-listener', exitLoss)?.links[0]?.url).toBe('https://github.com/pinojs/pino/issues/1400');
    expect(upstreamFor('pino-pipeline', 'slow-sink', memory)?.triage).toBe('new');
    // A pipeline that loses records at its documented shutdown is not explained by either.
    expect(upstreamFor('pino-pipeline', 'graceful-exit', exitLoss)).toBeUndefined();
  });
  it("pino-pipeline: a stall in its documented close is thread-stream's synchronous end() waiting for the pipeline to drain (new)", () => {
    const stall: Finding = { kind: 'event-loop-stall', severity: 'warning', message: "The main thread's event loop was blocked for 1599 ms (besides 2060 ms the thread stood ready without a CPU), 729 ms of it in close", evidence: {} };
    const rule = upstreamFor('pino-pipeline', 'graceful-exit', stall);
    expect(rule?.triage).toBe('new');
    expect(rule?.note).toContain('Atomics.wait');
    // A stall while logging is not explained by it.
    expect(upstreamFor('pino-pipeline', 'steady', { ...stall, message: "The main thread's event loop was blocked for 1599 ms, 729 ms of it in log" })).toBeUndefined();
  });
});
