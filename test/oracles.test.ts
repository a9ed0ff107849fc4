/**
 * The oracles read whole records as whole (issue 13): a line is torn only when it is not one
 * whole record, and a torn record is counted torn, not also lost. Each case is a line a real
 * logger writes, or one whose bytes were cut the way a broken logger cuts them.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type Pino from 'pino';
import { Ledger } from '../harness/ledger.js';
import { encodeRecord, parseLine } from '../harness/record.js';
import { scratchDir } from './helpers.js';

const pino = createRequire(import.meta.url)('pino') as typeof Pino;

describe('the torn-line oracle', () => {
  it('reads a pino line whose field held a lone surrogate (written as U+FFFD) as one whole record', () => {
    // pino writes a lone surrogate of a field as is; encoded as UTF-8 it becomes U+FFFD's bytes.
    const file = join(scratchDir(), 'pino.log');
    const destination = pino.destination({ dest: file, sync: true });
    pino(destination).info({ hostile: 'a\uD800b' }, encodeRecord(0, 0, 'payload'));
    destination.flushSync();
    const line = readFileSync(file, 'utf8').trimEnd();
    expect(line).toContain('\uFFFD');
    expect(parseLine(line, 'ndjson')).toEqual({ ok: true, producer: 0, seq: 0 });
  });

  it('still calls a line torn, naming U+FFFD, when a cut multi-byte character broke the record', () => {
    const bytes = Buffer.from(`{"msg":"${encodeRecord(0, 0, '日本語')}"}`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('語', 'utf8')) + 1;
    const damaged = Buffer.concat([bytes.subarray(0, cut), bytes.subarray(cut + 1)]).toString('utf8');
    expect(parseLine(damaged, 'ndjson')).toMatchObject({ ok: false, reason: expect.stringContaining('U+FFFD') as unknown });
  });
});

describe('the ledger', () => {
  it('counts records spliced into one torn line as torn, not also lost', async () => {
    // A logger that writes two records without the newline between them: every byte arrived.
    const a = `{"msg":"${encodeRecord(0, 1, 'first')}"}`;
    const b = `{"msg":"${encodeRecord(0, 2, 'second')}"}`;
    const file = join(scratchDir(), 'spliced.log');
    writeFileSync(file, `{"msg":"${encodeRecord(0, 0, 'whole')}"}\n${a.slice(0, 20)}${b}${a.slice(20)}\n{"msg":"${encodeRecord(0, 3, 'whole')}"}\n`);
    const ledger = Ledger.createLocal({ producers: 1, capacity: 4 });
    await ledger.deliverFile(file, 'ndjson');
    const r = ledger.reconcile([4], 0);
    expect(r).toMatchObject({ produced: 4, delivered: 2, torn: 1, lost: 0 });
    expect(r.evidence.tornRecords).toBe(2);
  });

  it('still counts a record that never arrived at all as lost beside a torn one', async () => {
    const file = join(scratchDir(), 'gap.log');
    const cut = `{"msg":"${encodeRecord(0, 0, 'cut-off')}"}`.slice(0, 24);
    writeFileSync(file, `${cut}\n{"msg":"${encodeRecord(0, 2, 'whole')}"}\n`);
    const ledger = Ledger.createLocal({ producers: 1, capacity: 3 });
    await ledger.deliverFile(file, 'ndjson');
    expect(ledger.reconcile([3], 0)).toMatchObject({ delivered: 1, torn: 1, lost: 1 });
  });
});
