/**
 * Call-latency histograms (harness/util/latency.ts): what threads post and the main thread
 * merges gives exactly the figures of one histogram that recorded every call itself, and the
 * same figures hdr-histogram-js's own build() and compressed encoding gave before.
 */

import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, mergeHistograms, summarise } from '../../harness/util/latency.js';
import { createRandom } from '../../harness/util/random.js';

/** Latencies in ns as calls give them: mostly fast, some slow, a few blocked for seconds or minutes. */
function latencies(n: number, seed: number): number[] {
  const next = createRandom(seed);
  const random = { int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)) };
  return Array.from({ length: n }, (_, i) => {
    const r = random.int(0, 999);
    if (i === 7) return 600e9 - 1;
    if (r < 900) return random.int(1, 20_000);
    if (r < 990) return random.int(20_000, 5_000_000);
    return random.int(5_000_000, 2_000_000_000);
  });
}

describe('latency histograms', () => {
  it('merges what the threads posted into the histogram of every call, to the bucket', () => {
    const values = latencies(30_000, 11);
    const all = createHistogram();
    for (const v of values) all.recordValue(v);
    const threads = [createHistogram(), createHistogram(), createHistogram()];
    values.forEach((v, i) => threads[i % 3]?.recordValue(v));
    const merged = mergeHistograms(threads.map(encodeHistogram));
    expect(merged.totalCount).toBe(values.length);
    const { max, ...rest } = summarise(merged);
    const { max: exactMax, ...exactRest } = summarise(all);
    expect(rest).toEqual(exactRest);
    // A merged histogram knows the largest value to its bucket (three significant digits), as
    // hdr-histogram-js's own encoding and add() did; a histogram that recorded it knows it exactly.
    expect(Math.abs(max - exactMax) / exactMax).toBeLessThan(1e-3);
  });

  it("gives the figures hdr-histogram-js's build() and compressed encoding gave", () => {
    const values = latencies(20_000, 5);
    const before = (): hdr.Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600e9, numberOfSignificantValueDigits: 3 });
    const parts = [before(), before()];
    values.forEach((v, i) => parts[i % 2]?.recordValue(v));
    const total = before();
    for (const p of parts) total.add(hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(p)));
    const now = [createHistogram(), createHistogram()];
    values.forEach((v, i) => now[i % 2]?.recordValue(v));
    expect(summarise(mergeHistograms(now.map(encodeHistogram)))).toEqual(summarise(total as Parameters<typeof summarise>[0]));
  });

  it('merges an empty histogram (a thread that logged nothing) as nothing', () => {
    expect(encodeHistogram(createHistogram())).toBe('');
    expect(mergeHistograms(['', '']).totalCount).toBe(0);
  });

  it('refuses a bucket that is not value:count, as the harness bug it is', () => {
    expect(() => mergeHistograms(['12:3,oops'])).toThrow(/not value:count, got `oops`/);
  });
});
