/**
 * One stated rule for which findings fail every scenario: ALWAYS_FAIL, which each bundled
 * scenario's failOn extends; an exception is named in the scenario's header with its reason.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALWAYS_FAIL, failOn, type AnyScenario } from '../../harness/contract/scenario.js';
import { SCENARIO_NAMES, type ScenarioName } from '../../scenarios/index.js';

/** The exceptions, as their headers justify them. */
const EXCEPTIONS: Partial<Record<ScenarioName, readonly string[]>> = {
  'crash-mid-write': ['unhandled-error'],
  'exit-after-logging': ['exit-hang'],
};

describe('failOn', () => {
  it('is ALWAYS_FAIL then the scenario own kinds, each once', () => {
    expect(failOn(['lost-records', 'hang', 'torn-records'])).toEqual([...ALWAYS_FAIL, 'lost-records', 'torn-records']);
  });

  it('leaves out the kinds a scenario excepts', () => {
    expect(failOn(['exit-loss'], { except: ['exit-hang', 'unhandled-error'] })).toEqual(['crash', 'hang', 'deadlock', 'recursive-lock', 'exit-loss']);
  });
});

describe.each(SCENARIO_NAMES)('the bundled scenario %s', (name) => {
  it('fails on every kind of ALWAYS_FAIL but the exceptions its header gives a reason for', async () => {
    // From the TypeScript source, as every unit test: the catalogue's URLs name the built files.
    const source = new URL(`../../scenarios/${name}.ts`, import.meta.url);
    const scenario = ((await import(source.href)) as { default: AnyScenario }).default;
    const missing = ALWAYS_FAIL.filter((k) => !scenario.failOn.includes(k));
    expect(missing).toEqual(EXCEPTIONS[name] ?? []);
    const header = /^\/\*\*[\s\S]*?\*\//.exec(readFileSync(source, 'utf8'))?.[0] ?? '';
    for (const kind of missing) expect(header).toContain(`except \`${kind}\``);
  });
});
