import { describe, expect, it } from 'vitest';
import { FD_RESERVE, SHARED_CONNECTIONS, fdSharedReason, nearsFdLimit, openFileLimit } from '../../harness/sinks/fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe("the collector's share of the run's file descriptors", () => {
  it("reads the soft open-file limit from /proc/self/limits, and nothing from text without one", () => {
    expect(openFileLimit(LIMITS)).toBe(20000);
    expect(openFileLimit(LIMITS.replace('20000                20000', '1024                 4096'))).toBe(1024);
    expect(openFileLimit(LIMITS.replace('20000                20000', 'unlimited            unlimited'))).toBeUndefined();
    expect(openFileLimit('')).toBeUndefined();
  });

  it("counts each connection twice (the logger's end and the collector's) against the limit, and a crowd beyond SHARED_CONNECTIONS as shared however high the limit", () => {
    const limit = 20000;
    const edge = (limit - FD_RESERVE) / 2;
    expect(nearsFdLimit(SHARED_CONNECTIONS, limit)).toBe(false);
    expect(nearsFdLimit(SHARED_CONNECTIONS + 1, limit)).toBe(true);
    expect(nearsFdLimit(SHARED_CONNECTIONS + 1, undefined)).toBe(true);
    expect(nearsFdLimit(100, 1024)).toBe(false);
    expect(nearsFdLimit(384, 1024)).toBe(true);
    expect(nearsFdLimit(383, 1024)).toBe(false);
    expect(edge).toBeGreaterThan(SHARED_CONNECTIONS);
  });

  it('says why the run is not judged, with the count and the limit', () => {
    expect(fdSharedReason(1025, 20000)).toMatch(/^not judged: the logger opened more than 1024 connections .* ulimit -n 20000/);
  });
});
