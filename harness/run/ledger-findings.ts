/**
 * What the ledger's reading of the sink says, as findings: records lost (in flight or at exit,
 * as the scenario names the loss), duplicated, reordered, torn. Pure.
 */

import type { Reconciliation } from '../ledger/ledger.js';
import type { Finding } from '../contract/result.js';
import type { ScenarioDefinition } from '../contract/scenario.js';

/** What the ledger read back from the sink. */
export interface SinkReading {
  readonly reconciliation: Reconciliation;
  /** Whether `produced` came from the scenario's exact counts, not the board's lower bound. */
  readonly exact: boolean;
  readonly path: string;
  /** Whether the adapter says its logger keeps each producer's order (capabilities.order, the default). */
  readonly ordered: boolean;
  /**
   * Whether the records went over TCP or HTTP to logjam's collector. It runs as a thread of the
   * run's own process and ends with it: bytes a logger sent just before the process ended can
   * still sit unread in the kernel's socket buffers, which a real remote collector would read.
   */
  readonly viaCollector?: boolean;
}

/** Why loss at exit over logjam's collector is reported, not judged (SinkReading.viaCollector). */
const COLLECTOR_AT_EXIT =
  "not judged: logjam's collector runs inside the run's process and ends with it, so records the logger had already sent but the collector had not yet read when the process ended are counted missing; a limit of the harness, not held against the logger";

/** The ledger's findings: records lost (in flight or at exit, as the scenario names it), duplicated, reordered, torn. */
export function ledgerFindings(sink: SinkReading, lossKind: ScenarioDefinition['lossKind']): Finding[] {
  const { reconciliation: r, exact } = sink;
  const counted = { produced: r.produced, delivered: r.delivered, droppedReported: r.droppedReported };
  const findings: Finding[] = [];
  if (r.lost > 0) {
    const where = lossKind === 'exit-loss' ? 'at exit' : 'in flight';
    const unjudged = lossKind === 'exit-loss' && sink.viaCollector === true;
    findings.push({
      kind: lossKind,
      severity: unjudged ? 'info' : 'error',
      message: `${r.lost} of ${r.produced} records were lost ${where}: neither delivered nor reported dropped${r.evidence.refusedRecords > 0 ? ` (${r.evidence.refusedRecords} more whose log() threw at the caller are counted refused, not lost)` : ''}${exact ? '' : ' (the run was cut short: produced is a lower bound)'}${unjudged ? ` (${COLLECTOR_AT_EXIT})` : ''}`,
      evidence: {
        ...counted,
        lost: r.lost,
        missing: r.evidence.missing,
        ...(r.evidence.refusedRecords > 0 ? { refused: r.evidence.refused, refusedRecords: r.evidence.refusedRecords } : {}),
        producedIsExact: exact,
        ...(unjudged ? { judged: false, why: 'collector-in-process' } : {}),
      },
    });
  }
  if (r.duplicated > 0) {
    findings.push({
      kind: 'duplicate-records',
      severity: 'error',
      message: `${r.duplicated} records were delivered more than once`,
      evidence: { ...counted, duplicated: r.duplicated, examples: r.evidence.duplicates },
    });
  }
  if (r.reordered > 0) {
    findings.push({
      kind: 'reordered-records',
      // Held in every scenario when the logger keeps each producer's order (the default): a
      // logger that reorders one thread's records is broken whatever the scenario's own list.
      severity: sink.ordered ? 'error' : 'info',
      message: `${r.reordered} records arrived after a later record of the same producer${sink.ordered ? '' : " (the adapter declares that the logger does not keep each producer's order)"}`,
      evidence: { ...counted, reordered: r.reordered, examples: r.evidence.reorders, orderPromised: sink.ordered },
    });
  }
  if (r.torn > 0) {
    findings.push({
      kind: 'torn-records',
      severity: 'error',
      message: `${r.torn} delivered lines were not exactly one whole record${r.evidence.tornRecords > 0 ? ` (${r.evidence.tornRecords} records arrived only inside them: counted torn, not lost)` : ''}`,
      evidence: { torn: r.torn, tornRecords: r.evidence.tornRecords, samples: r.evidence.torn, file: sink.path },
    });
  }
  return findings;
}
