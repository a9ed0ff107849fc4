/**
 * hostile-input: the main thread logs ordinary records with hostile values among them, passed
 * as structured fields (pino's merge object): circular objects, throwing getters and toJSON,
 * a toJSON that logs reentrantly through the same logger, BigInt, symbols, prototype-less
 * objects, lone surrogates, control characters, huge strings, deep nesting, throwing proxies
 * (harness/util/hostile.ts builds them inside the run; the parameters only name them).
 *
 * Load: `around` ordinary records, then one hostile record, for each kind in `kinds` in order,
 * then `around` more; records logged from inside a `toJSON` are producer 1.
 * Oracle: logging a line must not crash the process, hang, or throw at the caller
 * (`unhandled-error`, with the kind that threw), and no record may go missing: not the
 * ordinary ones around the bad one, and not the bad one itself (a logger may drop the fields it
 * cannot serialise, not the record). A record whose log() threw is not also counted lost: the
 * caller was told, and the throw is the finding (it is reported to the ledger as refused).
 * Every record's line must be one whole JSON record.
 * Parameters shrink towards one kind, one record on each side: a shrunk failure names the
 * smallest input that breaks the logger.
 *
 * Upstream bug class: "logging a line should not crash your process", pino's own principle,
 * broken by complex circular objects with throwing getters (https://github.com/pinojs/pino/issues/1062,
 * https://github.com/pinojs/pino/issues/833); JSON.stringify throwing on BigInt in loggers.
 */

import fc from 'fast-check';
import { HOSTILE_DESCRIPTIONS, HOSTILE_KINDS, hostileFields, type HostileKind } from '../harness/util/hostile.js';
import { encodeRecord } from '../harness/ledger/record.js';
import { defineScenario, failOn } from '../harness/contract/scenario.js';

export default defineScenario({
  name: 'hostile-input',
  description: 'ordinary records around circular, throwing, reentrant, BigInt, symbol, surrogate, control-char and huge fields; no crash, hang, throw or loss',
  failOn: failOn(['lost-records', 'duplicate-records', 'torn-records', 'recursion']),
  lossKind: 'lost-records',
  reproduces: 'pino: "logging a line should not crash your process", broken by circular objects with throwing getters (https://github.com/pinojs/pino/issues/1062)',
  params: fc.record({
    kinds: fc.array(fc.constantFrom(...HOSTILE_KINDS), { minLength: 1, maxLength: 12 }),
    around: fc.integer({ min: 1, max: 200 }),
    hugeKiB: fc.integer({ min: 64, max: 2048 }),
  }),
  skip: (capabilities) => (capabilities.fields !== true ? 'the adapter does not pass structured fields to its logger (capabilities.fields)' : undefined),
  async run(ctx, { kinds, around, hugeKiB }) {
    ctx.phase('create-logger');
    const logger = await ctx.createLogger({ producer: 0 });
    const produced = [0, 0];
    const threw = new Set<HostileKind | 'ordinary'>();
    const refused: { producer: number; seq: number }[] = [];
    const attempt = (what: HostileKind | 'ordinary', producer: number, fields?: Record<string, unknown>): void => {
      const seq = produced[producer] as number;
      produced[producer] = seq + 1;
      const message = encodeRecord(producer, seq, what === 'ordinary' ? 'ordinary' : `hostile-${what}`);
      try {
        logger.log('info', message, fields);
      } catch (error: unknown) {
        refused.push({ producer, seq });
        if (threw.has(what)) return;
        threw.add(what);
        const e = error instanceof Error ? error : new Error(String(error));
        ctx.finding({
          kind: 'unhandled-error',
          severity: 'error',
          message: `log() threw at the caller on ${what === 'ordinary' ? 'an ordinary record' : `a record with ${HOSTILE_DESCRIPTIONS[what]}`}: ${e.name}: ${e.message}`,
          evidence: { input: what, ...(what !== 'ordinary' ? { description: HOSTILE_DESCRIPTIONS[what] } : {}), record: { producer, seq }, error: `${e.name}: ${e.message}`, stack: e.stack?.split('\n').slice(0, 8).join('\n') ?? '' },
        });
      }
    };
    const reenter = (): void => attempt('ordinary', 1);
    ctx.phase('logging');
    for (const kind of kinds) {
      for (let i = 0; i < around; i++) attempt('ordinary', 0);
      ctx.phase(`logging ${kind}`);
      attempt(kind, 0, hostileFields(kind, { hugeKiB, reenter }));
    }
    for (let i = 0; i < around; i++) attempt('ordinary', 0);
    ctx.phase('closing');
    const closed = await ctx.close(logger);
    if (!closed.ok) {
      ctx.finding({
        kind: 'exit-hang',
        severity: 'error',
        message: closed.error !== undefined ? `The logger's shutdown failed after hostile input: ${closed.error}` : `The logger's shutdown did not finish within ${ctx.spec.closeMs} ms after hostile input`,
        evidence: { closeMs: closed.ms, boundMs: ctx.spec.closeMs, kinds },
      });
    }
    ctx.produced(produced, logger.dropped?.() ?? 0, refused);
    ctx.phase('done');
  },
});
