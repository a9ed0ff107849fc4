/**
 * A producer process: loads the adapter, runs its process-wide setup, creates its logger as
 * producer `p`, waits for the run's start signal, logs its records with ids, then runs the
 * logger's shutdown and the process-wide one, and lets the process end by itself.
 *
 * Started by harness/child/processes.ts in the run's process group, so ending the run ends it too.
 * It reports over the IPC channel; a process that dies says nothing more, and its records in
 * the sink are still counted by their ids.
 */

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { asAdapter, type ProcessSetup, defaultExport } from '../contract/adapter.js';
import { closeWithDeadline } from '../util/deadline.js';
import { createHistogram, encodeHistogram } from '../util/latency.js';
import type { ProcessProducerCommand, ProcessProducerMessage, ProcessProducerSpec } from '../contract/protocol.js';
import { createRandom } from '../util/random.js';
import { encodeRecord, PayloadSource } from '../ledger/record.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as ProcessProducerSpec;
const send = (message: ProcessProducerMessage): void => {
  process.send?.(message);
};
/** Sends and resolves once the message is handed to the channel, so disconnecting loses nothing. */
const sendLast = (message: ProcessProducerMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
let phase = 'load-adapter';

function waitForGo(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error(`the start signal did not come within ${ms} ms`));
    }, ms);
    const onMessage = (message: ProcessProducerCommand): void => {
      if (message.type !== 'go') return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

try {
  const adapter = asAdapter(defaultExport(await import(spec.adapterUrl)), spec.adapterUrl);
  phase = 'setup';
  const ctx = { file: spec.file, level: 'debug' as const, sink: {}, ...(spec.collector !== undefined ? { collector: spec.collector } : {}) };
  const setup: ProcessSetup | undefined = await adapter.setup?.(ctx);
  phase = 'create-logger';
  const logger = await adapter.create({ ...ctx, producer: spec.producer });
  const payloads = new PayloadSource(createRandom(spec.seed), spec.minPayload, spec.maxPayload);
  phase = 'wait-start';
  const go = waitForGo(spec.gateMs);
  send({ type: 'ready' });
  await go;
  phase = 'log';
  const histogram = createHistogram();
  let seq = 0;
  while (seq < spec.records) {
    const n = Math.min(spec.batch, spec.records - seq);
    const messages = Array.from({ length: n }, (_, i) => encodeRecord(spec.producer, seq + i, payloads.payload(seq + i)));
    for (const message of messages) {
      const t0 = performance.now();
      logger.log(spec.level, message);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
      seq++;
    }
    send({ type: 'progress', produced: seq });
    await yieldToLoop();
  }
  phase = 'close';
  const closed = await closeWithDeadline(logger, spec.closeMs);
  const all = closed.ok && setup !== undefined ? await closeWithDeadline(setup, spec.closeMs) : closed;
  await sendLast({
    type: 'result',
    produced: seq,
    dropped: (logger.dropped?.() ?? 0) + (setup?.dropped?.() ?? 0),
    latency: encodeHistogram(histogram),
    closeMs: closed.ms + (all === closed ? 0 : all.ms),
    closeTimedOut: !all.ok && all.error === undefined,
    ...(all.error !== undefined ? { closeError: all.error } : {}),
  });
  histogram.destroy();
} catch (error: unknown) {
  const e = error instanceof Error ? error : new Error(String(error));
  await sendLast({ type: 'failed', phase, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) });
}
// The IPC channel would keep the process alive; whether the logger does is under test.
process.disconnect?.();
