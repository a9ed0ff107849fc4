/**
 * `logjam replay FILE`: runs a replay file's exact run again (adapter, scenario, seed,
 * parameters and schedule) and says whether the failure came back.
 */

import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ChalkInstance } from 'chalk';
import type { Output, Reporter } from '../contract/reporter.js';
import { parseTimeout, parseInteger } from '../util/duration.js';
import { UsageError } from '../contract/errors.js';
import { resolveAdapter, resolveScenario } from './catalogue.js';
import { watchStops } from './signals.js';
import { suiteExitCode } from './commands/shared.js';
import { prepareOutFile, writeOrKeep } from './output-paths.js';
import { looksLikePath } from '../run/resolve.js';
import { artefactAdapterRef, failingKinds, readReplayArtefact } from '../run/replay.js';
import { EXIT, type RunResult } from '../contract/result.js';
import { runSuite } from '../run/suite.js';
import { checkParams } from '../run/params.js';
import type { Arbitrary } from 'fast-check';
import { usePython } from './commands/shared.js';
import { pinNode } from './commands/pins.js';

const OPTIONS = {
  times: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'string' },
  python: { type: 'string' },
  node: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

export const REPLAY_HELP = `Usage: logjam replay FILE [options]

Runs the run a replay file describes again, exactly: the adapter, scenario, seed, parameters and
thread schedule it records, and says whether the same findings failed it again.

Options:
      --times N            replay N times and count how often the failure came back (default: 1)
      --timeout DURATION   hard deadline of each run (default: the original run's, or 60s)
      --json FILE          also write the result model (logjam.report/1) to FILE
      --python PATH        the interpreter for a Python adapter (default: the one the file
                           records, else python3 on PATH or LOGJAM_PYTHON)
      --node VERSION       the Node release the run's process runs on (default: the one the
                           file records, else this Node); see \`logjam run --help\`
  -h, --help               show this help

Exit codes: 0 the failure did not come back, 1 a replay failed (the bug is still there),
2 usage error (a missing or malformed file), 3 internal harness error.
`;

export async function replayCommand(args: string[], out: Output, c: ChalkInstance, reporter: Reporter): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error: unknown) {
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}. Run \`logjam replay --help\` for the options.`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    out.write(REPLAY_HELP);
    return EXIT.pass;
  }
  if (positionals.length !== 1) {
    throw new UsageError(`Expected one replay file (logjam replay FILE), got ${positionals.length === 0 ? 'none' : positionals.join(' ')}. Failing runs print theirs as \`replay: npx logjam replay ...\`.`);
  }
  const file = resolve(positionals[0] as string);
  const artefact = readReplayArtefact(file);
  const times = values.times === undefined ? 1 : parseInteger(values.times, '--times', 1, 10_000);
  // A Python run replays with the interpreter it ran with: set before the adapter is described,
  // and inherited by the run's process and the driver it starts.
  const python = values.python ?? artefact.python;
  usePython(python);
  // A run on another Node replays on the same release, unless told otherwise.
  const node = values.node ?? artefact.node;
  await pinNode(node);
  const timeoutMs = values.timeout === undefined ? (artefact.timeoutMs ?? 60_000) : parseTimeout(values.timeout);
  const jsonFile = values.json === undefined ? undefined : prepareOutFile(values.json, '--json');
  const adapter = await resolveAdapter(artefactAdapterRef(artefact, looksLikePath), artefact.cwd, { limits: { timeoutMs } });
  const scenario = await resolveScenario(artefact.scenario, artefact.cwd, { timeoutMs });
  // Parameters are checked against the scenario's own bounds before a run gets them.
  checkParams(scenario.params as Arbitrary<unknown>, artefact.params, `The replay file ${file}`);
  out.write(c.dim(`replaying ${artefact.adapter} × ${artefact.scenario} seed ${artefact.seed}${python !== undefined ? ` with ${python}` : ''}${node !== undefined ? ` on Node ${node}` : ''}${artefact.path !== undefined ? ` path ${artefact.path}` : ''}, expecting ${artefact.expect.kinds.join(', ') || 'a pass'}${times > 1 ? `, ${times} times` : ''}\n`));

  // SIGINT, SIGTERM, SIGHUP or a closed stdout end the run under way; --json is still written.
  const abort = watchStops();
  try {
    const report = await runSuite({
      adapters: [adapter],
      scenarios: [scenario],
      seeds: Array.from({ length: times }, () => artefact.seed),
      value: { params: artefact.params, ...(artefact.schedule !== undefined ? { schedule: artefact.schedule } : {}) },
      ...(artefact.schedule !== undefined ? { scheduleMode: artefact.schedule.mode } : {}),
      ...(artefact.path !== undefined ? { path: artefact.path } : {}),
      timeoutMs,
      reporters: [reporter],
      signal: abort.signal,
      command: `logjam replay ${args.join(' ')}`,
    });
    const same = (r: RunResult): boolean => r.status === 'fail' && artefact.expect.kinds.every((k) => failingKinds(r).includes(k));
    const reproduced = report.runs.filter(same).length;
    const line = `${reproduced === report.runs.length ? c.red('reproduced') : reproduced === 0 ? c.green('not reproduced') : c.yellow('reproduced')} ${reproduced}/${report.runs.length}: ${artefact.expect.kinds.join(', ')}`;
    out.write(`${line}\n`);
    if (jsonFile !== undefined) writeOrKeep(jsonFile, `${JSON.stringify(report, null, 2)}\n`, (line) => void process.stderr.write(line), (t) => out.write(t));
    if (abort.signal.aborted) return EXIT.internal;
    return suiteExitCode(report.runs);
  } finally {
    abort.dispose();
  }
}
