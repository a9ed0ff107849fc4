/**
 * Call-latency histograms (HdrHistogram): recorded in nanoseconds in each thread, shipped as
 * the recorded buckets (`value:count` pairs), merged in the child's main thread, summarised in
 * microseconds.
 *
 * Only hdr-histogram-js's plain JS histogram is loaded, not its index: the index loads the
 * WebAssembly build, pako and the compressed encoding, which cost every producer thread (each
 * loads this module again) 150 to 300 ms of start-up on a loaded 2-core machine, for a feature
 * nothing here uses. Shipping the buckets instead of the compressed encoding loses nothing:
 * each pair's value is its bucket's highest equivalent value, which records into the same
 * bucket, so a merged histogram has exactly the counts of the threads' own.
 */

import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import type { LatencySummary } from '../contract/result.js';

export type Histogram = JsHistogram;

const Int32Histogram = constructorFromBucketSize(32);

export function createHistogram(): Histogram {
  // 1 ns to 10 minutes at three significant digits: a blocked call is still a measurement.
  // As hdr-histogram-js's build() makes it by default: 32-bit counts, resized if a count needs it.
  const h = new Int32Histogram(1, 600e9, 3);
  h.autoResize = true;
  return h;
}

/** The histogram's recorded buckets, `value:count` comma-separated: what a thread posts. */
export function encodeHistogram(h: Histogram): string {
  const it = h.recordedValuesIterator;
  it.reset();
  const pairs: string[] = [];
  while (it.hasNext()) {
    const v = it.next();
    pairs.push(`${v.valueIteratedTo}:${v.countAtValueIteratedTo}`);
  }
  return pairs.join(',');
}

export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = createHistogram();
  for (const e of encoded) {
    if (e === '') continue;
    for (const pair of e.split(',')) {
      const colon = pair.indexOf(':');
      const value = Number(pair.slice(0, colon));
      const count = Number(pair.slice(colon + 1));
      if (colon < 0 || !Number.isFinite(value) || !Number.isInteger(count) || count <= 0) throw new Error(`a latency histogram bucket is not value:count, got \`${pair.slice(0, 40)}\`: this is a harness bug`);
      total.recordValueWithCount(value, count);
    }
  }
  return total;
}
export function summarise(h: Histogram): LatencySummary {
  const us = (ns: number): number => Math.round(ns / 10) / 100;
  return {
    count: h.totalCount,
    p50: us(h.getValueAtPercentile(50)),
    p90: us(h.getValueAtPercentile(90)),
    p99: us(h.getValueAtPercentile(99)),
    p999: us(h.getValueAtPercentile(99.9)),
    max: us(h.maxValue),
    mean: us(h.mean),
  };
}
