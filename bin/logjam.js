#!/usr/bin/env node
// The logjam command. The harness is compiled to dist/ by `npm install` (the prepare script).
let cli;
try {
  cli = await import('../dist/harness/cli/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('logjam: the harness is not built yet. Run `npm install` (or `npm run build`) in the logjam folder first.\n');
  process.exit(3);
}
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// The harness must never hang: if a loaded module left a handle open, end anyway.
setTimeout(() => process.exit(code), 2000).unref();
