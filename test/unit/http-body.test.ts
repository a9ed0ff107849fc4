/**
 * The HTTP collector's body decoders (harness/sinks/http-body.ts): each shipper's wire format
 * read into one line per record, in the order the body carried them, and whatever a decoder
 * cannot read kept as it came, so a torn body reaches the ledger torn rather than lost.
 */

import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../harness/sinks/http-body.js';

const rec = (seq: number): string => JSON.stringify({ level: 30, msg: `lj:0:${seq}:0000abcd:x;` });

describe('the ndjson decoder (winston Http)', () => {
  it('reads one JSON object as one record, an array as one per element, other bodies line by line', () => {
    expect(decodeBody(rec(1), 'ndjson')).toEqual({ lines: [`${rec(1)}\n`], unparsed: false });
    expect(decodeBody(`[${rec(1)},${rec(2)}]`, 'ndjson').lines).toEqual([`${rec(1)}\n`, `${rec(2)}\n`]);
    expect(decodeBody(`${rec(1)}\n${rec(2)}\n`, 'ndjson')).toEqual({ lines: [`${rec(1)}\n`, `${rec(2)}\n`], unparsed: false });
  });

  it('keeps a torn line as it came and says the body was not all JSON', () => {
    expect(decodeBody(`${rec(1)}\n{"msg":"lj:0:2:00`, 'ndjson')).toEqual({ lines: [`${rec(1)}\n`, '{"msg":"lj:0:2:00\n'], unparsed: true });
  });
});

describe("the loki decoder (pino-loki's push JSON)", () => {
  const push = (streams: unknown[]): string => JSON.stringify({ streams });

  it('reads one record per values entry, across streams, in the order the body carried them', () => {
    const body = push([
      { stream: { level: 'info', hostname: 'h' }, values: [['1796000000000000000', rec(0)]] },
      { stream: { level: 'info' }, values: [['1796000000000000001', rec(1)], ['1796000000000000002', rec(2), { traceId: 't' }]] },
    ]);
    expect(decodeBody(body, 'loki')).toEqual({ lines: [`${rec(0)}\n`, `${rec(1)}\n`, `${rec(2)}\n`], unparsed: false });
  });

  it('does not take the push envelope for a record', () => {
    const { lines } = decodeBody(push([{ stream: {}, values: [['1', rec(7)]] }]), 'loki');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('streams');
  });

  it('keeps a body that is not a push request, or an entry without a line, as it came', () => {
    expect(decodeBody(`${rec(1)}\n${rec(2)}`, 'loki')).toEqual({ lines: [`${rec(1)}\n`, `${rec(2)}\n`], unparsed: true });
    expect(decodeBody('{"streams":[{"stream":{},"values":[["1"]]}]}', 'loki')).toEqual({ lines: ['["1"]\n'], unparsed: true });
    const torn = '{"streams":[{"stream":{},"values":[["1","{\\"msg\\":\\"lj:0:1';
    expect(decodeBody(torn, 'loki')).toEqual({ lines: [`${torn}\n`], unparsed: true });
  });
});

describe("the elastic-bulk decoder (log4js's logstash-http appender)", () => {
  const action = JSON.stringify({ index: { _index: 'logjam', _type: 'application' } });

  it('reads the document after each action line as one record and drops the action lines', () => {
    expect(decodeBody(`${action}\n${rec(1)}\n`, 'elastic-bulk')).toEqual({ lines: [`${rec(1)}\n`], unparsed: false });
    expect(decodeBody(`${action}\n${rec(1)}\n{"create":{}}\n${rec(2)}\n{"delete":{"_id":"x"}}\n`, 'elastic-bulk')).toEqual({ lines: [`${rec(1)}\n`, `${rec(2)}\n`], unparsed: false });
  });

  it('reads a document shaped like an action as a document', () => {
    const doc = JSON.stringify({ index: { msg: 'lj:0:3:0000abcd:x;' } });
    expect(decodeBody(`${action}\n${doc}\n`, 'elastic-bulk').lines).toEqual([`${doc}\n`]);
  });

  it('keeps a torn document, and a document without its action line, as they came', () => {
    expect(decodeBody(`${action}\n{"message":"lj:0:1:00`, 'elastic-bulk')).toEqual({ lines: ['{"message":"lj:0:1:00\n'], unparsed: true });
    expect(decodeBody(`${rec(1)}\n`, 'elastic-bulk')).toEqual({ lines: [`${rec(1)}\n`], unparsed: true });
  });
});

it('reads an empty body as no record, whatever the decoder', () => {
  for (const kind of ['ndjson', 'loki', 'elastic-bulk'] as const) expect(decodeBody(' \n', kind)).toEqual({ lines: [], unparsed: false });
});
