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
