/**
 * Reads a user module's definition without running it in the supervisor: the describe child
 * (harness/child/describe-child.ts) imports it in a process of its own, in its own process
 * group, under a deadline and the run's memory cap. Whatever the module does at import (calls
 * process.exit, spins, allocates, never settles, throws) comes back as a usage error saying so,
 * within the deadline plus the time it takes to end a process group.
 */

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { isTypeScriptModule } from '../contract/adapter.js';
import type { DescribeAnswer, DescribeRequest } from '../contract/describe.js';
import { ModuleLoadError } from '../contract/errors.js';
import { killGroup, trackProcessGroup } from '../util/cleanup.js';

const DESCRIBE_ENTRY = fileURLToPath(new URL('../child/describe-child.js', import.meta.url));

export interface DescribeLimits {
  /** How long importing the module (and answering) may take. @default 30000 */
  readonly timeoutMs?: number;
  /** Resident memory cap of the describe child, in MB. @default 2048 */
  readonly memoryMb?: number;
}

export const DESCRIBE_DEFAULTS = { timeoutMs: 30_000, memoryMb: 2048 } as const;

/** The child's answer, or a UsageError that says what the module did instead of answering. */
export async function describeModule(request: DescribeRequest, limits: DescribeLimits = {}): Promise<DescribeAnswer> {
  const timeoutMs = limits.timeoutMs ?? DESCRIBE_DEFAULTS.timeoutMs;
  const memoryMb = limits.memoryMb ?? DESCRIBE_DEFAULTS.memoryMb;
  const args = [
    ...(isTypeScriptModule(request.url) ? ['--import', import.meta.resolve('tsx')] : []),
    `--max-old-space-size=${Math.max(64, Math.floor(memoryMb / 2))}`,
    DESCRIBE_ENTRY,
    JSON.stringify(request),
  ];
  // Its own process group: whatever the module starts ends with it.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true });
  const untrack = trackProcessGroup(child.pid);
  let stderr = '';
  let answerText = '';
  (child.stderr as Readable).on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
    if (answerText.length < 1 << 20) answerText += chunk.toString('utf8');
  });
  let killedFor: { readonly why: 'deadline' | 'memory'; readonly state: string | undefined; readonly rssMb: number } | undefined;
  const started = performance.now();
  const kill = (why: 'deadline' | 'memory', rssMb: number): void => {
    if (killedFor !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    killedFor = { why, state: schedulerState(child.pid), rssMb };
    killGroup(child);
  };
  const deadline = setTimeout(() => kill('deadline', rssMbOf(child.pid) ?? 0), timeoutMs);
  const memoryPoll = setInterval(() => {
    const rss = rssMbOf(child.pid);
    if (rss !== undefined && rss > memoryMb) kill('memory', rss);
  }, 50);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    // When: the process could not be started at all.
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    // When: the process ended; its fd 3 may still hold the answer.
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(deadline);
  clearInterval(memoryPoll);
  // Something the module started may hold the pipes open: the answer gets a bounded wait.
  await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 1000).unref())]);
  // The module's own processes, if it started any, end with its group.
  killGroup(child);
  untrack();
  for (const s of [child.stderr, child.stdio[3]]) (s as Readable | null)?.destroy();

  const what = `the ${request.kind} module ${request.ref}`;
  const elapsed = (): number => Math.round(performance.now() - started);
  if (exit.error !== undefined) throw new Error(`could not start a process to load ${what}: ${exit.error.message}`);
  if (killedFor?.why === 'deadline') {
    // Read as it was ended: runnable means it was computing, sleeping means it was waiting.
    const doing = killedFor.state === 'R' ? 'it was still computing (a loop that never ends?)' : killedFor.state === 'S' || killedFor.state === 'D' ? 'it was waiting on something that never came' : 'it did not finish';
    throw new ModuleLoadError(`Loading ${what} did not finish within its deadline of ${timeoutMs} ms (ended after ${elapsed()} ms): ${doing}. A module must not do work at import beyond importing its logger; raise --timeout if it is only slow.`, request.kind, request.ref);
  }
  if (killedFor?.why === 'memory') {
    throw new ModuleLoadError(`Loading ${what} grew its process to ${killedFor.rssMb} MB resident, over the memory cap of ${memoryMb} MB (--memory), and was ended after ${elapsed()} ms: it allocates without bound at import.`, request.kind, request.ref);
  }
  const line = answerText.split('\n').find((l) => l.trim() !== '');
  let parsed: DescribeAnswer | undefined;
  try {
    parsed = line === undefined ? undefined : (JSON.parse(line) as DescribeAnswer);
  } catch {
    parsed = undefined;
  }
  if (/heap out of memory|Allocation failed/i.test(stderr) || exit.signal === 'SIGABRT') {
    throw new ModuleLoadError(`Loading ${what} ran out of JS heap (cap ${Math.max(64, Math.floor(memoryMb / 2))} MB, half of --memory): it allocates without bound at import.`, request.kind, request.ref);
  }
  if (parsed === undefined) {
    const how = exit.signal !== null ? `was ended by signal ${exit.signal}` : `exited with code ${exit.code}`;
    throw new ModuleLoadError(`Loading ${what} ${how} without answering.${tail(stderr)}`, request.kind, request.ref);
  }
  switch (parsed.type) {
    case 'exited':
      throw new ModuleLoadError(`${capital(what)} called process.exit(${parsed.code}) while ${doingIn(parsed.phase)}: a module must not end the process.${tail(stderr)}`, request.kind, request.ref);
    case 'never-settled':
      throw new ModuleLoadError(`${capital(what)} never settled while ${doingIn(parsed.phase)}: it awaits a promise that nothing will settle, and nothing else keeps the process alive.`, request.kind, request.ref);
    case 'threw':
      if (parsed.invalid === true) throw new ModuleLoadError(parsed.message, request.kind, request.ref);
      throw new ModuleLoadError(`Could not load ${what}: ${parsed.phase === 'import' ? '' : `while ${doingIn(parsed.phase)}, `}${syntaxAware(parsed.message, stderr)}`, request.kind, request.ref);
    default:
      return parsed;
  }
}

function doingIn(phase: string): string {
  switch (phase) {
    case 'import':
      return 'being imported';
    case 'validate':
      return 'being checked';
    case 'versions':
      return 'answering versions()';
    default:
      return 'answering sinkFiles()';
  }
}

/** A syntax error's message with the file:line that esbuild or Node put in the stack or stderr. */
function syntaxAware(message: string, stderr: string): string {
  return message.trim() + tail(stderr);
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-6);
  return lines.length === 0 ? '' : `\n${lines.map((l) => `  | ${l}`).join('\n')}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function rssMbOf(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return undefined;
  }
}

/** The scheduler state of a live process (R running, S sleeping, D disk wait), from /proc (Linux). */
function schedulerState(pid: number | undefined): string | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The field after the command name, which may hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
