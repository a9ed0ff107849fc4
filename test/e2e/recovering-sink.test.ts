/**
 * recovering-sink: the logger's only destination (the application's stream) fails writes 3 and
 * 4, by throwing out of write() or by calling back with an error and emitting 'error', then takes
 * every later write. It flags a logger that abandons its destination after the first failure,
 * with the range of records logged after the failure that never arrived, and passes one that
 * keeps writing (the records in the failed writes are the destination's losses, counted refused).
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, FIXTURES, ROOT, scratchDir } from './helpers.js';

const fixture = (name: string): string => join(FIXTURES, 'adapters', `${name}.ts`);
const RECORDS = 300;

async function run(adapterRef: string, failHow: 'throw' | 'emit') {
  const adapter = await api.resolveAdapter(adapterRef, ROOT);
  const scenario = await api.resolveScenario('recovering-sink');
  // No verdict here is about a hang: a wide window keeps a loaded machine from making one.
  const params = { records: RECORDS, failFrom: 3, failCount: 2, failHow };
  const result = await api.superviseRun({ adapter, scenario, seed: 1, params, timeoutMs: 60_000, hangMs: 20_000, memoryMb: 1024, workDir: scratchDir() });
  return { result, kinds: result.findings.map((f) => f.kind) };
}

describe('recovering-sink', () => {
  for (const failHow of ['throw', 'emit'] as const) {
    it(`flags a logger that stops writing after its destination's first failure (${failHow}), with the records logged after it`, async () => {
      const { result, kinds } = await run(fixture('stream-gives-up'), failHow);
      expect(result.status).toBe('fail');
      // The scenario's own finding (after the last failing write) and the ledger's (every loss).
      expect(kinds).toEqual(['lost-records', 'lost-records']);
      const own = result.findings.find((f) => f.evidence['signature'] === 'not-recovered');
      // 'throw': write 3 threw and the logger never wrote again. 'emit': the error arrives on the
      // next tick, after the first batch of 16 (writes 3 and 4 failed), and nothing is written after it.
      const written = failHow === 'throw' ? 3 : 16;
      const refused = failHow === 'throw' ? 1 : 2;
      expect(own?.evidence).toMatchObject({ writes: written, failures: refused, refusedByDestination: refused, lostAfterRecovery: RECORDS - written });
      expect(own?.evidence['ranges']).toEqual([{ producer: 0, from: written, to: RECORDS - 1 }]);
      expect(result.metrics).toMatchObject({ produced: RECORDS, delivered: written - refused, lost: RECORDS - written });
    });

    it(`passes a logger that keeps writing to its destination after it failed (${failHow})`, async () => {
      const { result } = await run(fixture('stream-recovers'), failHow);
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      // Writes 3 and 4 (records 2 and 3) were the destination's to lose; every other record arrived.
      expect(result.metrics).toMatchObject({ produced: RECORDS, delivered: RECORDS - 2, lost: 0 });
    });
  }

  it('passes the reference logger, whose writable handler keeps writing after a failed batch', async () => {
    for (const failHow of ['throw', 'emit'] as const) {
      const { result } = await run('reference', failHow);
      expect(result.status, JSON.stringify(result.findings)).toBe('pass');
      expect(result.metrics.lost).toBe(0);
    }
  });
});
