/**
 * Severity levels, as numbers so a level check is one comparison. Spaced by ten as Python's
 * logging does, so an application can slot its own levels in between.
 */

export type LevelName = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export const DEBUG = 10;
export const INFO = 20;
export const WARN = 30;
export const ERROR = 40;
export const FATAL = 50;

export const LEVEL_NAMES: readonly LevelName[] = ['debug', 'info', 'warn', 'error', 'fatal'];

const VALUES: Readonly<Record<LevelName, number>> = { debug: DEBUG, info: INFO, warn: WARN, error: ERROR, fatal: FATAL };

export function levelValue(name: LevelName): number {
  return VALUES[name];
}

export function isLevelName(value: unknown): value is LevelName {
  return typeof value === 'string' && Object.hasOwn(VALUES, value);
}

/** The name of a level number; numbers between two names read as the lower one. */
export function levelName(value: number): LevelName {
  if (value >= FATAL) return 'fatal';
  if (value >= ERROR) return 'error';
  if (value >= WARN) return 'warn';
  if (value >= INFO) return 'info';
  return 'debug';
}

/** Index of a level in the per-level drop counters (0 = debug … 4 = fatal). */
export function levelIndex(value: number): number {
  return Math.min(4, Math.max(0, Math.floor(value / 10) - 1));
}
