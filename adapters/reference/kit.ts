/**
 * How the `reference` adapter and its seeded-defect variants drive the reference logger: one
 * configuration per run, made in the child's main thread by `setup`, a logger per producer
 * thread from `create`. A variant adapter is this with its own module as the `variant`, so
 * every thread of the run loads the variant's replacement classes.
 */

import { defineAdapter, type AdapterContext, type AdapterDefinition, type Level, type LoggerInstance, type ProcessContext } from '../../harness/contract/adapter.js';
import type { LoggingConfig } from './config.js';
import { connect, withContext } from './logger.js';
import { configure, type LoggingSystem } from './system.js';

const sinkModule = new URL('./harness-writer.js', import.meta.url).href;

/** The queue the adapter uses unless a scenario asks for a bound (stalled-sink, burst-overflow). */
const QUEUE_BYTES = 32 * 1024 * 1024;

export interface ReferenceAdapterOptions {
  readonly name: string;
  readonly description: string;
  /** URL of the module exporting replacement classes (usually the variant adapter's own). */
  readonly variant?: string;
  /** Adjusts the configuration (a tiny queue, an extra handler) for a variant. */
  readonly tune?: (config: LoggingConfig, ctx: ProcessContext) => LoggingConfig;
}

/** The configuration a run gets: one ndjson file handler writing through logjam's sink. */
export function runConfig(ctx: ProcessContext, generation = 0): LoggingConfig {
  return {
    // Big enough to absorb steady's bursts from four producers on two cores.
    queue: { capacity: Math.max(4096, ctx.bufferBytes ?? QUEUE_BYTES) },
    formatters: { json: { format: 'ndjson' } },
    handlers: {
      [`file${generation}`]: {
        type: 'file',
        filename: ctx.file,
        formatter: 'json',
        // torn-lines: processes sharing one pipe take turns; a file or a thread alone pays nothing.
        interprocessLock: 'auto',
        writer: { module: sinkModule, export: 'harnessWriter', options: ctx.sink },
      },
      // failing-sink: a second file handler, isolated from the first by its own handleError.
      ...(ctx.secondFile !== undefined
        ? {
            [`second${generation}`]: {
              type: 'file' as const,
              filename: ctx.secondFile,
              formatter: 'json',
              writer: { module: sinkModule, export: 'harnessWriter', options: ctx.secondSink ?? {} },
            },
          }
        : {}),
    },
    root: { level: ctx.level, handlers: [`file${generation}`, ...(ctx.secondFile !== undefined ? [`second${generation}`] : [])] },
    listener: { respectHandlerLevel: true },
  };
}

/**
 * A logger over the application's own Writable, in the thread that configured logging: the
 * process's handlers are swapped for one `writable` handler, and the documented flush and
 * shutdown are the asynchronous ones, which wait for the stream's write callbacks.
 */
async function streamLogger(system: LoggingSystem | undefined, stream: NonNullable<AdapterContext['stream']>, level: Level, name: string): Promise<LoggerInstance> {
  if (system === undefined) throw new Error('the reference logger writes to a stream only in the thread that configured it (setup did not run here)');
  const s = system;
  await s.reconfigure({
    formatters: { json: { format: 'ndjson' } },
    handlers: { app: { type: 'writable', stream, formatter: 'json' } },
    root: { level, handlers: ['app'] },
    listener: { respectHandlerLevel: true },
  });
  const client = await connect();
  return {
    // Drops are the queue's, counted once, by setup's dropped().
    log: (lvl, message, fields) => client.getLogger(name).log(lvl, message, fields),
    flush: async () => {
      if (!(await s.flushAsync())) throw new Error(`the reference logger's flushAsync() did not complete within ${s.timeoutMs} ms`);
    },
    close: async () => {
      if (!(await s.stopAsync())) throw new Error(`the reference logger's stopAsync() did not complete within ${s.timeoutMs} ms`);
    },
  };
}

export function referenceAdapter(options: ReferenceAdapterOptions): AdapterDefinition {
  const tune = options.tune ?? ((c: LoggingConfig) => c);
  const configFor = (ctx: ProcessContext, generation: number): LoggingConfig => ({
    ...tune(runConfig(ctx, generation), ctx),
    ...(options.variant !== undefined ? { variant: options.variant } : {}),
  });
  let system: LoggingSystem | undefined;
  return defineAdapter({
    name: options.name,
    description: options.description,
    capabilities: {
      format: 'ndjson',
      gracefulShutdown: true,
      reportsDrops: true,
      threads: true,
      harnessSink: true,
      // The exit hook drains the queue within a bound (system.ts).
      exitFlush: true,
      reconfigure: true,
      // Enqueue copies into shared memory and never waits for the listener; the bound leaves
      // room for scheduling and GC pauses on a loaded machine, not for any sink.
      callBoundMs: 250,
      overflow: 'drop-lowest-first',
      // The 32 MiB queue is allocated once and touched as it fills; a full queue claimed as one
      // batch is decoded (UTF-16), formatted and encoded in the listener before it is released.
      memoryBoundMb: 160,
      secondSink: true,
      context: 'async-local-storage',
      fields: true,
      // The application's Writable, through a `writable` handler: flushAsync()/stopAsync().
      stream: true,
    },
    async setup(ctx) {
      const s = await configure(configFor(ctx, 0));
      system = s;
      let generation = 0;
      return {
        close() {
          if (!s.stop()) throw new Error(`the reference logger's stop() did not drain within ${s.timeoutMs} ms`);
        },
        dropped: () => s.dropped().total,
        reconfigure: () => s.reconfigure(configFor(ctx, ++generation)),
      };
    },
    async create(ctx) {
      const client = await connect();
      const name = `producer.${ctx.producer}`;
      if (ctx.stream !== undefined) return streamLogger(system, ctx.stream, ctx.level, name);
      // The logger's own level (below-level-flood asks for 'error'), as Python code sets it on
      // its named logger; the root's is the process's.
      client.getLogger(name).setLevel(ctx.level);
      return {
        // getLogger per call, as Python code calls logging.getLogger(__name__): it takes the
        // registry lock, which is what lock-inversion needs producers to do.
        log: (level, message, fields) => client.getLogger(name).log(level, message, fields),
        buffered: () => client.queue.usedBytes,
        // Captured on the producing side, before the queue (logger.ts).
        withContext: (fields, fn) => withContext(fields, fn),
        close() {
          // Cheap when idle; the process-wide stop is setup's close. The main thread's own
          // logger leaves flushing to it when the system is already stopped.
          if (system?.stopped === true) return;
          if (!client.flush()) throw new Error(`the reference logger's flush() did not finish within ${client.flushMs} ms`);
        },
      };
    },
  });
}
