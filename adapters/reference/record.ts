/**
 * A log record as the listener's handlers see it. Everything that depends on the producing
 * thread (time, the message, structured fields, trace context, an error's stack) was captured
 * and turned into strings there, before the record crossed the queue: the listener thread never
 * had the producer's context (seeds: "a trace-injection filter must run on the side where the
 * context still exists").
 */

export interface LogRecord {
  /** Milliseconds since the epoch, taken on the producing thread. */
  readonly time: number;
  /** Level number (10 debug … 50 fatal). */
  readonly level: number;
  /** Dotted logger name, `''` for the root logger. */
  readonly name: string;
  readonly message: string;
  /** Structured fields as the inside of a JSON object (`"k":1,"j":"x"`), or `''`. */
  readonly fields: string;
  /** Trace context captured from AsyncLocalStorage, as the inside of a JSON object, or `''`. */
  readonly context: string;
  /** An error's stack (or message), or `''`. */
  readonly error: string;
}

/**
 * Records the listener claimed from the queue, as handlers receive them: read by index, decoded
 * only when a handler asks for the record (`record`); a producer-formatted ndjson line can be
 * copied as bytes instead (`copyLine`). Valid only during the handler call it is passed to:
 * the bytes go back to producers right after, so a handler that keeps records keeps `record(i)`.
 */
export interface RecordBatch {
  /** Records in the batch. */
  readonly size: number;
  level(i: number): number;
  /** The logger name of record `i`. */
  name(i: number): string;
  /** Record `i`, decoded (once; later calls answer the same object). */
  record(i: number): LogRecord;
  /** Bytes of record `i`'s ndjson line (newline included) if the producer formatted it, or -1. */
  lineBytes(i: number): number;
  /** Copies record `i`'s line into `target` at `offset`; answers the bytes copied (`lineBytes(i)`). */
  copyLine(i: number, target: Uint8Array, offset: number): number;
  /**
   * The lines of the records of `share`, in order, as one run of bytes valid until the next
   * call; undefined when one of them is not a line or they do not fit (copy them one by one).
   */
  stageLines?(share: readonly number[]): Uint8Array | undefined;
}
