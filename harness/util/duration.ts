import { UsageError } from '../contract/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest delay a Node timer holds: longer ones fire at once (with a warning), so they are refused. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The bounds of a run's hard deadline (`--timeout`): one second to one day. */
export const TIMEOUT_BOUNDS = { minMs: 1000, maxMs: 24 * 3_600_000 } as const;

/**
 * Parses `1500`, `1500ms`, `30s`, `2m` or `1h` into milliseconds, within bounds
 * (default: 1 ms to the longest a timer can hold, about 24.8 days).
 */
export function parseDuration(text: string, flag: string, bounds: { readonly minMs?: number; readonly maxMs?: number } = {}): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) {
    throw new UsageError(`Expected \`${flag}\` to be a duration such as 30s, 1500ms or 2m, got \`${text}\``);
  }
  const ms = Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new UsageError(`Expected \`${flag}\` to be a positive duration, got \`${text}\``);
  }
  const min = bounds.minMs ?? 1;
  const max = Math.min(bounds.maxMs ?? MAX_TIMER_MS, MAX_TIMER_MS);
  if (ms < min || ms > max) {
    throw new UsageError(`Expected \`${flag}\` to be a duration from ${formatMs(min)} to ${formatMs(max)}, got \`${text}\` (${formatMs(ms)}); a unitless number is milliseconds`);
  }
  return Math.round(ms);
}

/** A run's hard deadline: long enough to start a process, short enough for a timer to hold. */
export function parseTimeout(text: string, flag = '--timeout'): number {
  return parseDuration(text, flag, TIMEOUT_BOUNDS);
}

function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms * 1000) / 1000}ms`;
}

/** Parses a non-negative integer flag, within bounds. */
export function parseInteger(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError(`Expected \`${flag}\` to be an integer from ${min} to ${max}, got \`${text}\``);
  }
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`Expected \`${flag}\` to be an integer from ${min} to ${max}, got \`${text}\``);
  return n;
}
