/**
 * The reference queue's two record forms (adapters/reference/queue.ts): a record the producer
 * formats as its finished ndjson line must be byte for byte what the listener's JsonFormatter
 * writes for it, and still read back as the same parts for handlers that format their own way;
 * records that go as parts (an error, a name or message JSON escapes) read back exactly. One
 * thread plays producer and listener: the queue's locks are plain Atomics locks here.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonFormatter } from '../../adapters/reference/format.js';
import { ClaimedBatch, SharedQueue } from '../../adapters/reference/queue.js';
import type { LogRecord } from '../../adapters/reference/record.js';

const record = fc.record({
  time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  level: fc.constantFrom(10, 20, 30, 35, 40, 50),
  name: fc.oneof(fc.constant(''), fc.constantFrom('app', 'producer.0', 'app.db'), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
  message: fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
  fields: fc.option(fc.dictionary(fc.string(), fc.oneof(fc.string({ unit: 'binary' }), fc.integer())), { nil: undefined }),
  context: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
  error: fc.oneof(fc.constant(''), fc.constant('Error: refused\n    at connect (net.js:1:1)'), fc.string({ unit: 'binary' })),
});

type Input = typeof record extends fc.Arbitrary<infer T> ? T : never;

/** What the producing side hands the queue: fields and context as the inside of a JSON object. */
function parts(r: Input): LogRecord {
  const inner = (o: Record<string, unknown> | undefined): string => (o === undefined ? '' : JSON.stringify(o).slice(1, -1));
  // A lone surrogate does not survive UTF-8 (it becomes U+FFFD): the contract is about well-formed text.
  const wellFormed = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
  return { time: r.time, level: r.level, name: wellFormed(r.name), message: wellFormed(r.message), fields: inner(r.fields), context: inner(r.context), error: wellFormed(r.error) };
}

function roundTrip(inputs: readonly LogRecord[], queue = new SharedQueue(SharedQueue.allocate({ capacity: 1 << 16 }))): { batch: ClaimedBatch; done: () => void } {
  for (const r of inputs) expect(queue.append(r.level, r.time, r.name, r.message, r.fields, r.context, r.error)).toBe(true);
  const cursor = queue.claim(0, () => false);
  expect(cursor.count).toBe(inputs.length);
  const batch = new ClaimedBatch(queue);
  expect(batch.fill(cursor, cursor.count)).toBe(inputs.length);
  // Gives the bytes back, as the listener does after writing, so one queue serves every run.
  return { batch, done: () => queue.release(cursor, cursor.count) };
}

describe('the reference queue', () => {
  it('writes a producer-formatted line exactly as JsonFormatter would, and reads every record back as the parts it was given', () => {
    const queue = new SharedQueue(SharedQueue.allocate({ capacity: 1 << 20 }));
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (raw) => {
        const inputs = raw.map(parts);
        const { batch, done } = roundTrip(inputs, queue);
        const formatter = new JsonFormatter();
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i] as LogRecord;
          const bytes = batch.lineBytes(i);
          if (bytes >= 0) {
            const out = Buffer.alloc(bytes);
            expect(batch.copyLine(i, out, 0)).toBe(bytes);
            expect(out.toString('utf8')).toBe(`${new JsonFormatter().format(input)}\n`);
          }
          expect(batch.name(i)).toBe(input.name);
          expect(batch.level(i)).toBe(input.level);
          expect(batch.record(i)).toEqual(input);
          expect(formatter.format(batch.record(i))).toBe(formatter.format(input));
        }
        done();
      }),
      { numRuns: 300 },
    );
  });

  it('formats a plain record on the producing side and sends an error or a message JSON must escape as parts', () => {
    const base = { time: 1_700_000_000_000, level: 20, name: 'app', fields: '"k":1', context: '"traceId":"t"', error: '' };
    const { batch } = roundTrip([
      { ...base, message: 'plain' },
      { ...base, message: 'with "quotes"' },
      { ...base, message: 'failed', error: 'Error: x\n  at y' },
      { ...base, name: '', message: 'from the root logger' },
    ]);
    expect([0, 1, 2, 3].map((i) => batch.lineBytes(i) >= 0)).toEqual([true, false, false, true]);
    const line = Buffer.alloc(batch.lineBytes(3));
    batch.copyLine(3, line, 0);
    expect(line.toString()).toBe('{"time":1700000000000,"level":"info","name":"root","msg":"from the root logger","k":1,"traceId":"t"}\n');
    expect(batch.record(3).name).toBe('');
  });

  it('hands the listener the committed records before one a producer is still copying, and that one once it is committed', () => {
    const queue = new SharedQueue(SharedQueue.allocate({ capacity: 1 << 16 }));
    for (const message of ['first', 'second', 'third']) queue.append(20, 1, 'app', message, '', '', '');
    // The second record as a producer leaves it between its reservation and its commit: the
    // body-bytes word (header word 2) is -1 until the commit stores the length.
    const words = new Int32Array(queue.handle.ring);
    const second = (words[0] as number) >> 2;
    const length = words[second + 2] as number;
    Atomics.store(words, second + 2, -1);
    const cursor = queue.claim(0, () => false);
    expect(cursor.count).toBe(3);
    const batch = new ClaimedBatch(queue);
    expect(batch.fill(cursor, 3)).toBe(1);
    expect(batch.record(0).message).toBe('first');
    Atomics.store(words, second + 2, length);
    expect(batch.fill(cursor, 2)).toBe(2);
    expect([batch.record(0).message, batch.record(1).message]).toEqual(['second', 'third']);
  });

  it('refuses to read a record outside the batch', () => {
    const { batch } = roundTrip([{ time: 1, level: 20, name: 'a', message: 'm', fields: '', context: '', error: '' }]);
    expect(() => batch.record(1)).toThrow(/Expected a record index below 1, got 1/);
  });
});
