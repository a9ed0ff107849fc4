/**
 * The `logjam` command line. Exit codes: 0 all passed, 1 findings failed a run, 2 usage or
 * configuration error, 3 internal harness error.
 *
 * A router that loads only what a command needs: `logjam --help` loads this file, a command's
 * own `--help` and usage errors load the command's module and the names it prints, and the
 * harness (the catalogue, the suite, the reporters) loads when there is something to run.
 */

import { EXIT } from '../contract/result.js';
import { UsageError } from '../contract/errors.js';
import { PROJECT_ENV } from '../../adapters/load.js';
import { stdout, stderr } from './commands/io.js';
import { handleClosedOutputs } from './signals.js';

type Run = (args: string[]) => Promise<number>;

const COMMANDS = {
  list: { summary: 'list the bundled adapters and scenarios', load: async (): Promise<Run> => (await import('./commands/list.js')).list },
  run: { summary: 'run scenarios against adapters, each run in its own supervised process', load: async (): Promise<Run> => (await import('./commands/run.js')).run },
  ci: { summary: 'the CI gate: fixed seeds, a time budget, JUnit/JSON/Markdown reports, --shard', load: async (): Promise<Run> => (await import('./commands/ci.js')).ciCommand.run },
  'merge-reports': {
    summary: 'merge the JSON reports of `ci --shard` jobs into one report',
    load: async (): Promise<Run> => (await import('./commands/merge-reports.js')).mergeReportsCommand.run,
  },
  stress: { summary: 'the local loop: fresh seeds, schedule perturbation, live progress, stop at the first failure', load: async (): Promise<Run> => (await import('./commands/stress.js')).stressCommand.run },
  compare: { summary: 'scenarios and benchmarks across adapters: one self-contained HTML report + Markdown', load: async (): Promise<Run> => (await import('./commands/compare.js')).compareCommand.run },
  findings: { summary: 'write FINDINGS.md (rates, evidence, replay, upstream links) from a JSON report', load: async (): Promise<Run> => (await import('./commands/findings.js')).findingsCommand.run },
  bisect: {
    summary: 'find the release of a logger or helper where a finding appeared or was fixed',
    load: async (): Promise<Run> => (await import('./commands/bisect.js')).bisectCommand.run,
  },
  replay: {
    summary: 'run a failing run again from its replay file: logjam replay FILE',
    load: async (): Promise<Run> => {
      const [{ replayCommand }, { chalkFor, reporters }] = await Promise.all([import('./replay-command.js'), import('../../reports/index.js')]);
      return async (args) => replayCommand(args, stdout, chalkFor(stdout, process.env), reporters.terminal(stdout, chalkFor(stdout, process.env)));
    },
  },
  help: { summary: 'show this help', load: async (): Promise<Run> => async () => mainHelp() },
} satisfies Record<string, { summary: string; load: () => Promise<Run> }>;

type CommandName = keyof typeof COMMANDS;

const PLANNED: string[] = [];

function mainHelp(): number {
  const lines = [
    'Usage: logjam <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`),
    '',
    'Run `logjam <command> --help` for the options of a command.',
    'Exit codes: 0 all passed, 1 findings failed a run, 2 usage error, 3 internal harness error.',
  ];
  stdout.write(`${lines.join('\n')}\n`);
  return EXIT.pass;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Bundled adapters load their logger from this project; every run's process inherits it.
  process.env[PROJECT_ENV] ??= process.cwd();
  handleClosedOutputs();
  if (command === undefined || command === '--help' || command === '-h') return mainHelp();
  try {
    if (!Object.hasOwn(COMMANDS, command)) {
      const planned = PLANNED.includes(command) ? ` (\`logjam ${command}\` is designed but not built yet)` : '';
      throw new UsageError(`Unknown command \`${command}\`${planned}. Expected one of: ${Object.keys(COMMANDS).join(', ')}`);
    }
    return await (await COMMANDS[command as CommandName].load())(rest);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      stderr.write(`logjam: ${error.message}\n`);
      return EXIT.usage;
    }
    stderr.write(`logjam: internal error (a harness bug, please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.internal;
  }
}
