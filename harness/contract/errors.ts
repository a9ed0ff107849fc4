/**
 * A usage or configuration error: the CLI prints its message and exits 2. Messages say what
 * was expected, what came instead, and how to fix it.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
