/**
 * One schema for every file logjam reads: replay files, reports (and the shards merged from
 * them), and configuration files (logjam.config.ts shares this module). Checked with zod; a file
 * that does not fit is a usage error naming the field, what was expected and what was found.
 *
 * The schemas check what logjam relies on and let through what it does not read (extra fields,
 * evidence of any shape), so a report written by a newer logjam with more facts still merges.
 */

import { z } from 'zod';
import { UsageError } from './errors.js';
import { FINDING_KINDS } from './result.js';

/** The longest run deadline a file may ask for: what a Node timer holds reliably (a day). */
const MAX_TIMEOUT_MS = 24 * 3_600_000;

export const SeedSchema = z.number().int().min(0).max(2 ** 31 - 1);
/** A PCT schedule's seed is derived from the run's (deriveSeed): any unsigned 32-bit integer. */
export const ScheduleSeedSchema = z.number().int().min(0).max(2 ** 32 - 1);
export const FastCheckPathSchema = z.string().regex(/^\d+(:\d+)*$/, 'a fast-check path such as 0:1:0');
export const FindingKindSchema = z.enum(FINDING_KINDS);
export const RunStatusSchema = z.enum(['pass', 'fail', 'skip', 'error']);

export const ScheduleSpecSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('pct'), seed: ScheduleSeedSchema, depth: z.number().int().min(0).max(1000) }),
  z.object({
    mode: z.literal('controlled'),
    preemptions: z.array(z.object({ at: z.number().int().min(0).max(1e9), pick: z.number().int().min(0).max(1e6) })).max(10_000),
  }),
]);

export const FindingSchema = z.looseObject({
  kind: FindingKindSchema,
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

const count = z.number().finite().min(0);

export const RunMetricsSchema = z.looseObject({
  produced: count,
  delivered: count,
  droppedReported: count,
  lost: count,
  duplicated: count,
  reordered: count,
  torn: count,
  wallMs: count,
});

export const ReplaySchema = z.looseObject({
  command: z.string(),
  adapter: z.string(),
  scenario: z.string(),
  seed: SeedSchema,
  path: FastCheckPathSchema.optional(),
});

/** Where a run's wall time went (contract/result.ts RunPhases). */
export const RunPhasesSchema = z.looseObject({
  ready: count,
  setup: count,
  scenario: count,
  shutdown: count,
  exit: count,
  readBack: count,
  warm: z.boolean(),
  threads: z.object({ harness: count, adapter: count, ready: count }).optional(),
  missing: z.array(z.string()).optional(),
});

export const RunResultSchema = z.looseObject({
  adapter: z.string().min(1),
  scenario: z.string().min(1),
  seed: SeedSchema,
  params: z.unknown().optional(),
  status: RunStatusSchema,
  reason: z.string().optional(),
  findings: z.array(FindingSchema),
  metrics: RunMetricsSchema,
  replay: ReplaySchema,
  phases: RunPhasesSchema.optional(),
});

/** What `logjam ci` writes into every report, so `merge-reports` can tell shards of one suite. */
export const SuiteFingerprintSchema = z.object({
  /** sha256 over the fields below: equal fingerprints, one suite. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest'),
  adapters: z.array(z.string()),
  scenarios: z.array(z.string()),
  seeds: z.array(SeedSchema),
  runs: z.number().int().min(0),
  logjam: z.string(),
  node: z.string().optional(),
});

export const ReportSchema = z.looseObject({
  schema: z.literal('logjam.report/1'),
  startedAt: z.string(),
  durationMs: count,
  environment: z.looseObject({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
    cpus: count,
    cpuModel: z.string(),
    totalMemoryMb: count,
    logjam: z.string(),
    command: z.string(),
  }),
  runs: z.array(RunResultSchema),
  summary: z.object({ pass: count, fail: count, skip: count, error: count }),
  shard: z.object({ index: z.number().int().min(1), count: z.number().int().min(1), planned: z.number().int().min(0) }).optional(),
  suite: SuiteFingerprintSchema.optional(),
});

export const REPLAY_FILE_SCHEMA = 'logjam.replay/1';

/**
 * A replay file. It names modules to import (the adapter and scenario), so it is code: replay
 * only files you trust (README, replay files).
 */
export const ReplayFileSchema = z.looseObject({
  schema: z.literal(REPLAY_FILE_SCHEMA),
  createdAt: z.string().optional(),
  adapter: z.string().min(1),
  cwd: z.string().min(1),
  scenario: z.string().min(1),
  seed: SeedSchema,
  path: FastCheckPathSchema.optional(),
  params: z.unknown(),
  schedule: ScheduleSpecSchema.optional(),
  timeoutMs: z.number().int().min(1000).max(MAX_TIMEOUT_MS).optional(),
  expect: z.looseObject({
    status: RunStatusSchema,
    kinds: z.array(FindingKindSchema),
    messages: z.array(z.string()).optional(),
  }),
  command: z.string().optional(),
  versions: z.record(z.string(), z.string()).optional(),
  /** The interpreter a Python adapter's run was given: the replay uses it too. */
  python: z.string().min(1, 'a Python interpreter (a path or a command name)').optional(),
  /** The Node release the run ran on (`--node`): the replay uses it too. */
  node: z.string().regex(/^\d+\.\d+\.\d+$/, 'an exact Node release such as 22.12.0').optional(),
});

/**
 * Checks `value` against `schema`; a misfit is a UsageError naming each field (by its path),
 * what was expected and what was found, and how to get a file that fits.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string, fix: string): z.infer<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 8).map((issue) => `  - ${fieldOf(issue.path)}: ${expectation(issue)}, found ${found(issue.input)}`);
  const more = result.error.issues.length > 8 ? `\n  - and ${result.error.issues.length - 8} more` : '';
  throw new UsageError(`${what} does not fit its schema:\n${problems.join('\n')}${more}\n${fix}`);
}

function fieldOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  return `\`${path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('')}\``;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}`;
    case 'too_small':
      return `expected at least ${String(issue.minimum)}`;
    default:
      return `expected ${issue.message.replace(/^Invalid (input: )?/i, '').replace(/^expected /i, '') || 'another value'}`;
  }
}

function found(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return '`null`';
  if (Array.isArray(input)) return `an array of ${input.length}`;
  if (typeof input === 'object') return 'an object';
  const text = JSON.stringify(input) ?? typeof input;
  return `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\` (${typeof input})`;
}
