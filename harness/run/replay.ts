/**
 * Replay artefacts: the small file a failing run leaves behind, and what `logjam replay FILE`
 * reads back. It records everything a run depends on (the adapter as the user named it, the
 * scenario, the seed, the exact parameters, the schedule mode) and what the failure was, so a
 * replay can say whether the same finding came back.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../contract/errors.js';
import type { FindingKind, RunResult, RunStatus } from '../contract/result.js';
import { parseWith, ReplayFileSchema } from '../contract/schemas.js';
import type { ScheduleSpec } from '../contract/schedule-spec.js';

export const REPLAY_SCHEMA = 'logjam.replay/1';

export interface ReplayArtefact {
  readonly schema: typeof REPLAY_SCHEMA;
  readonly createdAt: string;
  /** The adapter as the user named it: a bundled name, or a path resolved against `cwd`. */
  readonly adapter: string;
  /** The folder the original run was started from, for adapter paths. */
  readonly cwd: string;
  readonly scenario: string;
  readonly seed: number;
  /** fast-check's path from the seed's parameters to these, when they were shrunk. */
  readonly path?: string;
  /** The exact parameters; a replay uses them as they are, not regenerated. */
  readonly params: unknown;
  /** Schedule perturbation or control the run used. */
  readonly schedule?: ScheduleSpec;
  readonly timeoutMs?: number;
  /** What the run found: the replay looks for the same kinds failing it. */
  readonly expect: {
    readonly status: RunStatus;
    readonly kinds: readonly FindingKind[];
    readonly messages: readonly string[];
  };
  /** The command that replays this file. */
  readonly command: string;
  /** Versions of the packages the adapter loaded. */
  readonly versions?: Readonly<Record<string, string>>;
  /** The Python interpreter a Python adapter's run was given (`--python`): the replay uses it too. */
  readonly python?: string;
  /** The Node release the run was asked to run on (`--node`): the replay uses it too. */
  readonly node?: string;
}

export interface ArtefactExtras {
  readonly schedule?: ScheduleSpec;
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly python?: string;
}

/** The kinds that failed the run, in the order found, each once. */
export function failingKinds(run: RunResult): FindingKind[] {
  return [...new Set(run.findings.filter((f) => f.severity === 'error').map((f) => f.kind))];
}

/** Writes the replay artefact of a run into `dir`; answers its path. */
export function writeReplayArtefact(run: RunResult, dir: string, extras: ArtefactExtras = {}): string {
  mkdirSync(dir, { recursive: true });
  const pathPart = run.replay.path !== undefined ? `-shrunk` : '';
  const file = resolve(dir, `${safe(run.adapter)}.${run.scenario}.${run.seed}${pathPart}.replay.json`);
  const artefact: ReplayArtefact = {
    schema: REPLAY_SCHEMA,
    createdAt: new Date().toISOString(),
    adapter: run.replay.adapter,
    cwd: extras.cwd ?? process.cwd(),
    // As the user named it (a bundled name or a path), resolved against `cwd` on replay.
    scenario: run.replay.scenario,
    seed: run.seed,
    ...(run.replay.path !== undefined ? { path: run.replay.path } : {}),
    params: run.params ?? null,
    ...(extras.schedule !== undefined ? { schedule: extras.schedule } : {}),
    ...(extras.timeoutMs !== undefined ? { timeoutMs: extras.timeoutMs } : {}),
    expect: {
      status: run.status,
      kinds: failingKinds(run),
      messages: run.findings.filter((f) => f.severity === 'error').map((f) => f.message),
    },
    command: `npx logjam replay ${file}`,
    ...(run.versions !== undefined ? { versions: run.versions } : {}),
    ...(extras.python !== undefined ? { python: extras.python } : {}),
    ...(run.replay.node !== undefined ? { node: run.replay.node } : {}),
  };
  writeFileSync(file, `${JSON.stringify(artefact, null, 2)}\n`);
  return file;
}

/** Reads and checks a replay artefact; a bad file is a usage error that says what is wrong. */
export function readReplayArtefact(file: string): ReplayArtefact {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new UsageError(`Expected \`${file}\` to be a replay file written by logjam, but it cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new UsageError(`Expected \`${file}\` to hold JSON (a ${REPLAY_SCHEMA} replay file), but it does not parse: ${(error as Error).message}`);
  }
  // A replay file names modules to import: it is checked whole before anything is loaded.
  return parseWith(ReplayFileSchema, value, `The replay file ${file}`, 'Write a fresh one by re-running the failing command (it prints `npx logjam replay FILE`).') as ReplayArtefact;
}

/** The adapter reference to resolve: a path stays relative to the folder the run started in. */
export function artefactAdapterRef(artefact: ReplayArtefact, looksLikePath: (ref: string) => boolean): string {
  return looksLikePath(artefact.adapter) && !isAbsolute(artefact.adapter) ? join(artefact.cwd, artefact.adapter) : artefact.adapter;
}

function safe(name: string): string {
  return name.replace(/[^a-z0-9._-]/gi, '_');
}
