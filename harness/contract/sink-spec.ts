/**
 * How a scenario wires a sink to an adapter: the pathologies of logjam's own sink, the paced
 * relay, the collector's faults and the payload alphabet. Plain cloneable data, no behaviour:
 * the implementations in harness/sinks/ and harness/ledger/ import these.
 */

import type { LockHandle } from './lock-handle.js';

/** Pathologies a scenario asks the sink to show. Structured-cloneable, for any thread. */
export interface SinkOptions {
  /**
   * An instrumented lock the sink takes around each write, as a sink that needs an interpreter
   * lock or a file lock does (lock-inversion).
   */
  readonly lock?: LockHandle;
  /** Every k-th write throws a SinkError, so the logger's error paths run. */
  readonly failEvery?: number;
  /**
   * Whether a failing write throws before writing (the record is lost, as with ENOSPC) or after
   * (the record is written and the error still surfaces, as with an fsync EIO). @default 'before'
   */
  readonly failWhen?: 'before' | 'after';
  /**
   * How a failing write reports: it throws, or (as a stream does) it returns and the error is
   * handed to `SinkHooks.onError` on the next tick; with no hook it is thrown on the next tick,
   * as an 'error' event nobody listens to is. @default 'throw'
   */
  readonly failHow?: 'throw' | 'emit';
  /** Every write first sleeps this long on the writing thread: a slow device. @default 0 */
  readonly delayMs?: number;
  /**
   * One synchronous block of the writing thread, `ms` long, at write `afterWrites + 1`: a
   * stalled disk. The sink drains nothing meanwhile and resumes after it.
   */
  readonly stall?: { readonly afterWrites: number; readonly ms: number };
  /**
   * Every write logs one record from inside itself through `SinkHooks.reenter`, while the
   * thread's write nesting is below `depthCap` and fewer than `limit` reentrant records were
   * logged in all. The caps are the harness's safety net: reaching one is the finding.
   */
  readonly reenter?: { readonly depthCap: number; readonly limit: number };
  /** A `SinkStats` buffer every thread's sink counts into, for the scenario to read. */
  readonly stats?: SharedArrayBuffer;
}

/** How the relay drains the pipe. Plain JSON. */
export interface RelayOptions {
  /** Most bytes taken from the pipe per read. @default 65536 */
  readonly chunkBytes?: number;
  /** Sleep after every chunk: a slow device. @default 0 */
  readonly delayMs?: number;
  /** Stop reading for `ms` once `afterBytes` bytes went through: a stalled device. */
  readonly stall?: { readonly afterBytes: number; readonly ms: number };
}

/** What the relay saw, for evidence. Times are ms since the relay started. */
export interface RelayStats {
  readonly bytes: number;
  readonly lines: number;
  readonly reads: number;
  /** When the stall began and ended, if it did. */
  readonly stalledAtMs?: number;
  readonly resumedAtMs?: number;
  /** Bytes that went through after the stall ended: the sink recovered. */
  readonly bytesAfterResume: number;
}

export interface CollectorFaults {
  /** Refuse connections (nothing listens) until this many milliseconds after start. @default 0 */
  readonly refuseMs?: number;
  /** Reset (RST) a connection once it has carried this many bytes. @default no reset */
  readonly resetAfterBytes?: number;
  /** Most connections to reset. @default 1 */
  readonly resets?: number;
  /** Pause reading this long after every chunk received (backpressure). @default 0 */
  readonly slowMs?: number;
}

/** What the collector saw; plain JSON, for findings' evidence. */
export interface CollectorStats {
  readonly connections: number;
  /** Connections reset on purpose. */
  readonly resets: number;
  /** Whole lines written to the sink. */
  readonly lines: number;
  /** Lines written after the last injected reset (all of them when there was none). */
  readonly linesAfterFault: number;
  readonly bytes: number;
  /** Bytes after the last newline of a connection that ended or was reset: a partial record. */
  readonly partialBytesDiscarded: number;
  /** Clients that used the resume handshake. */
  readonly streams: number;
  /** Milliseconds from start until the collector listened (the refusal window). */
  readonly refusedForMs: number;
}

/**
 * How the loopback HTTP collector misbehaves (http-collector). Faults are counted in requests,
 * not time, where they can be, so a loaded machine does not change which records meet them.
 */
export interface HttpCollectorFaults {
  /** Answer every request this long after its body arrived: a slow log service. @default 0 */
  readonly slowMs?: number;
  /** Answer the first `requests` requests with `status` (a 5xx, or 429) and store nothing of them. */
  readonly status?: { readonly code: number; readonly requests: number };
  /**
   * Hold every request that arrives within `ms` of the first one unanswered (the body is read),
   * then answer them all and store their records: a service that stops answering, then recovers.
   */
  readonly stallMs?: number;
  /** Destroy the connection of the first `requests` requests once their body arrived, answering nothing. */
  readonly resetRequests?: number;
}

/** What the HTTP collector saw; plain JSON, for findings' evidence. */
export interface HttpCollectorStats {
  readonly requests: number;
  /** Requests answered 200, whose records were stored. */
  readonly accepted: number;
  /** Requests the collector failed on purpose (status, reset). */
  readonly faulted: number;
  /** Records inside the requests it failed on purpose: what the logger had to retry or report dropped. */
  readonly faultedRecords: number;
  /** Requests held by a stall and answered when it ended. */
  readonly held: number;
  /** Whole lines written to the sink. */
  readonly lines: number;
  /** Lines written from requests that arrived after the last request failed on purpose (all of them when none was). */
  readonly linesAfterFault: number;
  readonly bytes: number;
  /** The most requests in flight at once (received, not yet answered): how much the logger sends without waiting. */
  readonly maxInFlight: number;
  /** Bodies that were neither a JSON value nor newline-delimited JSON, written as they came. */
  readonly unparsedBodies: number;
}

/** What a payload is made of: the ASCII alphabet, or whole code points of multi-byte UTF-8. */
export type PayloadText = 'ascii' | 'utf8';
