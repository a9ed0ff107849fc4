import { UsageError } from '../contract/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `1500`, `1500ms`, `30s`, `2m` or `1h` into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) {
    throw new UsageError(`Expected \`${flag}\` to be a duration such as 30s, 1500ms or 2m, got \`${text}\``);
  }
  const ms = Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new UsageError(`Expected \`${flag}\` to be a positive duration, got \`${text}\``);
  }
  return Math.round(ms);
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
