/**
 * Seeded randomness. Everything random in a run derives from its seed through these, so a
 * run replays from its seed alone.
 */

/** sfc32 seeded from one 32-bit integer; returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A child seed for a named part of a run (a producer, a sink), stable across runs. */
export function deriveSeed(seed: number, part: number): number {
  let h = Math.imul((seed ^ 0x5bd1e995) >>> 0, 0x01000193) ^ part;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return (h ^ (h >>> 15)) >>> 0;
}

/** A fresh seed for a run the user did not seed. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
