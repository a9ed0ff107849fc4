/**
 * The describe child: imports one user module (an adapter, a scenario or a project config) in a process of its
 * own, checks its default export, and writes what the supervisor needs to know about it as one
 * JSON line on fd 3. The supervisor (harness/run/describe.ts) gives it a deadline and a memory
 * cap, so a module that exits, spins, allocates or never settles at import cannot take the
 * supervisor with it.
 *
 * argv[2]: a DescribeRequest as JSON.
 */

import { writeSync } from 'node:fs';
import { asAdapter, defaultExport } from '../contract/adapter.js';
import { asScenario } from '../contract/scenario.js';
import type { DescribeAnswer, DescribeRequest } from '../contract/describe.js';

// Captured before the module loads: it may patch process.exit or the streams.
const exitProcess = process.exit.bind(process);
let answered = false;

/** One line on fd 3; the first answer wins, so a module cannot overwrite the verdict. */
function answer(message: DescribeAnswer): void {
  if (answered) return;
  answered = true;
  try {
    writeSync(3, `${JSON.stringify(message)}\n`);
  } catch {
    // The supervisor is gone: nobody is left to tell.
  }
}

const request = JSON.parse(process.argv[2] ?? '{}') as DescribeRequest;
let phase: 'import' | 'validate' | 'versions' | 'sink-files' = 'import';

// When: the module calls process.exit() while it is imported or asked. Node runs 'exit'
// listeners synchronously, so the answer is written before the process ends.
process.on('exit', (code) => answer({ type: 'exited', phase, code }));
// When: the event loop ran dry with the import (or a call) still pending: a promise that
// nothing will ever settle (a top-level await on nothing, a setup that waits on itself).
process.on('beforeExit', () => {
  answer({ type: 'never-settled', phase });
  exitProcess(0);
});

try {
  const exported = defaultExport(await import(request.url));
  phase = 'validate';
  if (request.kind === 'config') {
    // Through JSON: only data crosses (a config is data), never a getter of the module's.
    answer({ type: 'config', exported: exported !== undefined, value: exported === undefined ? null : (JSON.parse(JSON.stringify(exported) ?? 'null') as unknown) });
  } else if (request.kind === 'scenario') {
    const s = asScenario(exported, request.ref);
    answer({ type: 'scenario', name: s.name, description: s.description });
  } else {
    const a = asAdapter(exported, request.ref);
    if (request.sinkFile !== undefined) {
      phase = 'sink-files';
      const files = a.sinkFiles?.(request.sinkFile) ?? [request.sinkFile];
      answer({ type: 'sink-files', files: files.filter((f): f is string => typeof f === 'string') });
    } else {
      phase = 'versions';
      const versions = (await a.versions?.()) ?? {};
      answer({
        type: 'adapter',
        name: a.name,
        description: a.description,
        // Through JSON: only data crosses, never a getter of the module's.
        capabilities: JSON.parse(JSON.stringify(a.capabilities)) as DescribeAnswerCapabilities,
        versions: Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, String(v)])),
        hasSinkFiles: typeof a.sinkFiles === 'function',
      });
    }
  }
} catch (error: unknown) {
  const e = error instanceof Error ? error : new Error(String(error));
  answer({ type: 'threw', phase, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}), ...(e instanceof TypeError && phase === 'validate' ? { invalid: true } : {}) });
}
exitProcess(0);

type DescribeAnswerCapabilities = Extract<DescribeAnswer, { type: 'adapter' }>['capabilities'];
