/**
 * Call-latency histograms (HdrHistogram): recorded in nanoseconds in each thread, shipped as
 * compressed base64, merged in the child's main thread, summarised in microseconds.
 */

import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../contract/result.js';

export type Histogram = hdr.Histogram;

export function createHistogram(): Histogram {
  // 1 ns to 10 minutes at three significant digits: a blocked call is still a measurement.
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600e9, numberOfSignificantValueDigits: 3 });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = createHistogram();
  for (const e of encoded) {
    const h = hdr.decodeFromCompressedBase64(e);
    total.add(h);
    h.destroy();
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
