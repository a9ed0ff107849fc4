/**
 * Mixed severities for a producer's records: the level of record (producer, seq) is a pure
 * function of them and the mix, so a scenario can tell after the run which missing records were
 * ERRORs without any thread having told it.
 */

import { LEVELS, type Level } from './adapter.js';

/** Relative weights of each level. Plain JSON. */
export type LevelMix = Readonly<Partial<Record<Level, number>>>;

export function levelAt(mix: LevelMix, producer: number, seq: number): Level {
  let total = 0;
  for (const level of LEVELS) total += Math.max(0, mix[level] ?? 0);
  if (total <= 0) return 'info';
  // A multiplicative hash of (producer, seq), spread over [0, total).
  const h = (Math.imul(seq ^ Math.imul(producer + 1, 0x27d4eb2d), 0x9e3779b1) >>> 0) / 2 ** 32;
  let at = h * total;
  for (const level of LEVELS) {
    const w = Math.max(0, mix[level] ?? 0);
    if (at < w) return level;
    at -= w;
  }
  return 'fatal';
}

export const SEVERITY: Readonly<Record<Level, number>> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50 };
