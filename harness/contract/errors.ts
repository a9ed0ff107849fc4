/**
 * A usage or configuration error: the CLI prints its message and exits 2. Messages say what
 * was expected, what came instead, and how to fix it.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A user's module (adapter or scenario) that could not be read: it threw, exited, spun,
 * allocated or never settled at import. A usage error (exit 2) that names the module, so a
 * gate can still write a report that says which one and why.
 */
export class ModuleLoadError extends UsageError {
  constructor(
    message: string,
    readonly kind: 'adapter' | 'scenario' | 'config',
    readonly ref: string,
  ) {
    super(message);
  }
}
