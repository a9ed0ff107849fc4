/**
 * The adapter contract is strict: a misspelt key is a compile error in `defineAdapter` (the
 * `@ts-expect-error` lines below fail `npm run typecheck` if it stops being one) and a usage
 * error naming the valid keys when a module is loaded.
 */

import { describe, expect, it } from 'vitest';
import { asAdapter, CAPABILITY_KEYS, closestKey, defineAdapter } from '../../harness/contract/adapter.js';
import { asScenario } from '../../harness/contract/scenario.js';

const create = () => ({ log: () => undefined, close: () => undefined });

describe('defineAdapter', () => {
  it('rejects a misspelt capability and an unknown top-level key at compile time', () => {
    const typo = defineAdapter({
      name: 'typo',
      description: 'a misspelt capability',
      // @ts-expect-error `harnesSink` is not a capability: the contract says `harnessSink`.
      capabilities: { format: 'ndjson', gracefulShutdown: true, harnesSink: true },
      create,
    });
    const extra = defineAdapter({
      name: 'extra',
      description: 'an unknown key',
      capabilities: { format: 'ndjson', gracefulShutdown: true },
      create,
      // @ts-expect-error `teardown` is not part of the adapter contract.
      teardown: () => undefined,
    });
    // At run time the same modules are refused, naming the key, a guess and the valid keys.
    expect(() => asAdapter(typo, './typo.ts')).toThrow(/no `capabilities\.harnesSink` \(did you mean `harnessSink`\?\): the valid keys are threads, format/);
    expect(() => asAdapter(extra, './extra.ts')).toThrow(/no `teardown`: the valid keys are name, description, capabilities/);
  });

  it('accepts every capability the contract lists, grouped by kind', () => {
    const all = defineAdapter({
      name: 'all',
      description: 'every capability',
      capabilities: {
        threads: true, format: 'text', gracefulShutdown: true, reportsDrops: true, reconfigure: true, context: 'async-local-storage',
        fields: true, secondSink: true, reopen: true, harnessSink: true, stream: true, pathSink: false, reentrantSink: true, tcp: false, http: false, httpBody: 'ndjson',
        callBoundMs: 5, overflow: 'drop-lowest-first', memoryBoundMb: 64, exitFlush: true, exitNeedsShutdown: '"call shutdown", https://example.org/docs', order: 'per-producer',
      },
      create,
    });
    expect(asAdapter(all, 'all')).toBe(all);
    expect(Object.values(CAPABILITY_KEYS).flat().sort()).toEqual(Object.keys(all.capabilities).sort());
  });

  it('says what a capability of the wrong type should be', () => {
    const wrong = { name: 'wrong', description: 'x', create, capabilities: { format: 'json', gracefulShutdown: 'yes', callBoundMs: -1 } };
    expect(() => asAdapter(wrong, 'w')).toThrow(
      /`capabilities\.format` to be 'ndjson' or 'text', got `json` \(string\); `capabilities\.gracefulShutdown` to be a boolean, got `yes` \(string\); `capabilities\.callBoundMs` to be a positive number of milliseconds, got `-1` \(number\)/,
    );
  });

  it('guesses only close keys', () => {
    expect(closestKey('harnesSink', ['harnessSink', 'stream'])).toBe('harnessSink');
    expect(closestKey('Threads', ['threads'])).toBe('threads');
    expect(closestKey('somethingElse', ['threads', 'stream'])).toBeUndefined();
  });
});

describe('asScenario', () => {
  it('names each missing or wrong field of a module that is not a scenario', () => {
    expect(() => asScenario({ name: 'Bad Name', failOn: ['lost', 'hang'], lossKind: 'lost' }, './s.ts')).toThrow(
      /The scenario in \.\/s\.ts is not valid\. Expected `name` to be a kebab-case string.*`description` to be a string.*`run` to be a function.*`failOn` to be an array of finding kinds.*`lossKind` to be 'lost-records' or 'exit-loss'.*`params` to be a fast-check arbitrary/,
    );
  });
});
