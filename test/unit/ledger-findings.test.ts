/**
 * Loss at exit over logjam's in-process collector: reported with its count, as information, not held against
 * the logger, because the collector thread ends with the run's process (the last bytes the
 * logger sent may still be unread in the kernel). Loss in flight over it is judged as ever.
 */

import { describe, expect, it } from 'vitest';
import { Ledger } from '../../harness/ledger/ledger.js';
import { ledgerFindings, type SinkReading } from '../../harness/run/ledger-findings.js';

function reading(viaCollector: boolean): SinkReading {
  const ledger = Ledger.createLocal({ producers: 1, capacity: 10 });
  for (let seq = 0; seq < 7; seq++) ledger.deliver(0, seq);
  return { reconciliation: ledger.reconcile([10], 0), exact: true, path: '/run/sink.log', ordered: true, viaCollector };
}

describe('loss over the in-process collector', () => {
  it('is information at exit (the scenario cannot turn it into a failure), with the reason, and its count kept', () => {
    const [loss] = ledgerFindings(reading(true), 'exit-loss');
    expect(loss).toMatchObject({ kind: 'exit-loss', severity: 'info', evidence: { lost: 3, judged: false, why: 'collector-in-process' } });
    expect(loss?.message).toMatch(/^3 of 10 records were lost at exit: .*\(not judged: logjam's collector runs inside the run's process/);
  });

  it('is an error in flight, and at exit when the logger writes a file', () => {
    expect(ledgerFindings(reading(true), 'lost-records')[0]).toMatchObject({ kind: 'lost-records', severity: 'error' });
    expect(ledgerFindings(reading(false), 'exit-loss')[0]).toMatchObject({ kind: 'exit-loss', severity: 'error' });
    expect(ledgerFindings(reading(false), 'exit-loss')[0]?.evidence['judged']).toBeUndefined();
  });
});

describe('the verdict on unjudged exit loss', () => {
  it('stays information in a scenario that fails on exit-loss', async () => {
    const { withSeverity } = await import('../../harness/run/verdict.js');
    const [loss] = ledgerFindings(reading(true), 'exit-loss');
    expect(withSeverity(loss as NonNullable<typeof loss>, ['exit-loss']).severity).toBe('info');
  });
});
