/**
 * Handlers: one per sink, each with its own level, filters, formatter and lock, each isolated
 * from the others' failures. They live in the listener thread and receive records in batches,
 * so a file handler writes one batch with one system call.
 *
 * A handler's lock (`reference.handler.<type>`) is taken by `handle` around `emitBatch`. It is
 * not reentrant on purpose: the listener never calls back into a handler that is emitting
 * (records logged from inside emit go to the other handlers, see listener.ts), so a handler
 * that does re-enter itself is a bug the lock makes loud (a LockError, a `recursive-lock` under
 * the harness) instead of an unbounded recursion.
 */

import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, writeSync, existsSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { Mutex } from '../../harness/sync/locks.js';
import type { FilterConfig, HandlerConfig, LoggingConfig, ModuleRef } from './config.js';
import { JsonFormatter, TemplateFormatter, type Formatter } from './format.js';
import { ERROR, levelValue } from './levels.js';
import { LockFile } from './lockfile.js';
import type { LogRecord, RecordBatch } from './record.js';

/** Where a handler's text goes: one or more whole lines per write. */
export interface Writer {
  write(text: string): void;
  /** Writes `length` bytes of `bytes` whole, when the writer can take bytes (a file can). */
  writeBytes?(bytes: Uint8Array, length: number): void;
  flush?(): void;
  close?(): void;
}

export interface Filter {
  filter(record: LogRecord): boolean;
}

// Captured at load: a logger under test may patch process.stderr.
const stderrFd = 2;
const writeStderr = (text: string): void => {
  try {
    writeSync(stderrFd, text);
  } catch {
    // Nowhere left to report to.
  }
};

export abstract class Handler {
  readonly name: string;
  /** Records below this level are skipped when the listener respects handler levels. */
  level = 0;
  formatter: Formatter = new JsonFormatter();
  filters: Filter[] = [];
  /** Failures handed to handleError so far. */
  errors = 0;
  protected readonly lock: Mutex;
  #emitting = false;

  constructor(name: string, lockClass = 'reference.handler') {
    this.name = name;
    this.lock = Mutex.create(lockClass);
  }

  /** Whether this handler is inside its own emit on this thread (reentry guard for the listener). */
  get emitting(): boolean {
    return this.#emitting;
  }

  /**
   * Filters the batch, then emits what passed under the handler's lock. Never throws: a
   * failure goes to handleError, so one handler cannot stop the others.
   */
  handle(records: readonly LogRecord[]): void {
    let accepted = records;
    if (this.filters.length > 0) accepted = records.filter((r) => this.filters.every((f) => f.filter(r)));
    if (accepted.length === 0) return;
    this.emitLocked(() => this.emitBatch(accepted), () => accepted);
  }

  /**
   * The listener's entry: this handler's share of a claimed batch (indices, in order). By
   * default the records are decoded and handled as `handle` does; a handler that can write
   * producer-formatted lines as bytes overrides this. Valid only during the call: keep
   * `batch.record(i)`, never the batch or the share. Never throws.
   */
  handleBatch(batch: RecordBatch, share: readonly number[]): void {
    const records = new Array<LogRecord>(share.length);
    for (let i = 0; i < share.length; i++) records[i] = batch.record(share[i] as number);
    this.handle(records);
  }

  /** Runs `emit` under the handler's lock, marked emitting; a failure goes to handleError with `records()`. */
  protected emitLocked(emit: () => void, records: () => readonly LogRecord[]): void {
    this.lock.lock();
    this.#emitting = true;
    try {
      emit();
    } catch (error: unknown) {
      this.handleError(error, records());
    } finally {
      this.#emitting = false;
      this.lock.unlock();
    }
  }

  /** Emits records one by one; handlers that can write a batch at once override this. */
  protected emitBatch(records: readonly LogRecord[]): void {
    for (const r of records) this.emit(r);
  }

  protected abstract emit(record: LogRecord): void;

  format(record: LogRecord): string {
    return this.formatter.format(record);
  }

  /**
   * What a failure in emit turns into (Python's Handler.handleError): counted, and reported on
   * stderr for the first failure and every thousandth after, never rethrown.
   */
  handleError(error: unknown, records: readonly LogRecord[]): void {
    this.errors++;
    if (this.errors === 1 || this.errors % 1000 === 0) {
      const e = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      writeStderr(`reference logger: handler ${this.name} failed (${this.errors} failure(s) so far) on a batch of ${records.length}: ${e}\n`);
    }
  }

  flush(): void {}

  close(): void {
    this.flush();
  }
}

export class NullHandler extends Handler {
  protected emit(): void {}
}

/** Writes lines to stdout or stderr, synchronously, from the listener thread. */
export class StreamHandler extends Handler {
  readonly #fd: number;

  constructor(name: string, stream: 'stdout' | 'stderr' = 'stderr') {
    super(name, 'reference.handler.stream');
    this.#fd = stream === 'stdout' ? 1 : 2;
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    let text = '';
    for (const r of records) text += `${this.format(r)}\n`;
    writeAll(this.#fd, Buffer.from(text, 'utf8'));
  }

  protected emit(record: LogRecord): void {
    this.emitBatch([record]);
  }
}

/** Word 0 of a port handler's counters: batches posted to the configuring thread. */
export const PORT_POSTED = 0;

/**
 * Hands each formatted batch to the configuring thread, which writes it into the application's
 * Writable (system.ts, StreamPump). Counts a batch before posting it, so a flusher that reads
 * the count after the listener settled its records waits for every batch that holds them.
 */
export class PortHandler extends Handler {
  readonly #port: MessagePort;
  readonly #posted: Int32Array;

  constructor(name: string, port: MessagePort, counters: SharedArrayBuffer) {
    super(name, 'reference.handler.writable');
    this.#port = port;
    this.#posted = new Int32Array(counters);
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    let text = '';
    for (const r of records) text += `${this.format(r)}\n`;
    Atomics.add(this.#posted, PORT_POSTED, 1);
    this.#port.postMessage(text);
  }

  protected emit(record: LogRecord): void {
    this.emitBatch([record]);
  }
}

/** Writes every byte, however many writes the descriptor takes (a pipe may take part of it). */
function writeAll(fd: number, bytes: Uint8Array, length = bytes.length): void {
  let off = 0;
  while (off < length) off += writeSync(fd, bytes, off, length - off);
}

/** Node's Buffer.utf8Write, without the encoding dispatch of write(); present since Node 0.x, untyped. */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

/**
 * A batch's lines encoded one by one into a buffer kept from batch to batch: joining the
 * lines into one string first costs a flatten of the whole batch, its UTF-8 copy in a new
 * buffer and the garbage of both, which was the listener's largest cost (a fourth of its
 * time in a profile of one fast producer).
 */
class LineBuffer {
  #bytes: FastBuffer = Buffer.allocUnsafe(64 * 1024) as FastBuffer;
  length = 0;

  get bytes(): Buffer {
    return this.#bytes;
  }

  /** Appends `line` and a newline. */
  push(line: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const worst = line.length * 3 + 1;
    if (this.length + worst > this.#bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.length + worst)) as FastBuffer;
      this.#bytes.copy(bigger, 0, 0, this.length);
      this.#bytes = bigger;
    }
    this.length += this.#bytes.utf8Write(line, this.length, worst);
    this.#bytes[this.length++] = 0x0a;
  }

  /** Appends record `i`'s producer-formatted line (newline included) as bytes. */
  copy(batch: RecordBatch, i: number, bytes: number): void {
    if (this.length + bytes > this.#bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.length + bytes)) as FastBuffer;
      this.#bytes.copy(bigger, 0, 0, this.length);
      this.#bytes = bigger;
    }
    this.length += batch.copyLine(i, this.#bytes, this.length);
  }
}

/** Appends to a file; opens it at the first record (delay) or at once. */
export function fileWriter(filename: string, delay = true): Writer {
  let fd: number | undefined;
  const open = (): number => (fd ??= openSync(filename, 'a'));
  if (!delay) open();
  return {
    write(text) {
      writeAll(open(), Buffer.from(text, 'utf8'));
    },
    writeBytes(bytes, length) {
      writeAll(open(), bytes, length);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Bound on waiting for another process's batch write to a shared pipe. */
const INTERPROCESS_LOCK_MS = 2000;

/**
 * One write per batch through a Writer (a file, or a writer from a module such as logjam's
 * sink). With `interprocessLock`, each batch write holds a lock file (`<filename>.lock`) shared
 * with the other processes writing the same destination: always (`true`), or only when the
 * destination is a pipe or a socket (`'auto'`), where a write larger than PIPE_BUF is not
 * atomic. (A local file opened for append keeps each write whole.)
 */
export class FileHandler extends Handler {
  protected readonly writer: Writer;
  readonly #filename: string | undefined;
  #lockMode: boolean | 'auto';
  #lock: LockFile | undefined;
  /** Batches written without the lock because another process held it past the bound. */
  lockTimeouts = 0;
  #lines: LineBuffer | undefined;

  constructor(name: string, writer: Writer, filename?: string, interprocessLock: boolean | 'auto' = false) {
    super(name, 'reference.handler.file');
    this.writer = writer;
    this.#filename = filename;
    this.#lockMode = filename === undefined ? false : interprocessLock;
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    const writer = this.writer;
    if (writer.writeBytes !== undefined) {
      const out = (this.#lines ??= new LineBuffer());
      out.length = 0;
      for (const r of records) out.push(this.format(r));
      this.#write(() => writer.writeBytes?.(out.bytes, out.length));
    } else {
      let text = '';
      for (const r of records) text += `${this.format(r)}\n`;
      this.#write(() => writer.write(text));
    }
  }

  /**
   * With the ndjson formatter, no filters and the stock emit: each record the producer
   * formatted is copied into the line buffer as bytes, the others are formatted here, in order;
   * then one write, as emitBatch does. Anything else (a template, filters, a subclass that
   * overrides emitBatch or format) takes the records the ordinary way.
   */
  override handleBatch(batch: RecordBatch, share: readonly number[]): void {
    if (!this.#copiesLines()) {
      super.handleBatch(batch, share);
      return;
    }
    if (share.length === 0) return;
    const records = (): LogRecord[] => share.map((i) => batch.record(i));
    this.emitLocked(() => {
      const staged = batch.stageLines?.(share);
      if (staged !== undefined) {
        this.#writeBytes(staged, staged.length);
        return;
      }
      const out = (this.#lines ??= new LineBuffer());
      out.length = 0;
      for (const i of share) {
        const bytes = batch.lineBytes(i);
        if (bytes >= 0) out.copy(batch, i, bytes);
        else out.push(this.format(batch.record(i)));
      }
      this.#writeBytes(out.bytes, out.length);
    }, records);
  }

  /** One write of a batch's bytes: as bytes when the writer takes them, as text otherwise. */
  #writeBytes(bytes: Uint8Array, length: number): void {
    const writer = this.writer;
    if (writer.writeBytes !== undefined) this.#write(() => writer.writeBytes?.(bytes, length));
    else this.#write(() => writer.write(Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('utf8')));
  }

  #copiesLines(): boolean {
    return (
      this.filters.length === 0 &&
      this.formatter.constructor === JsonFormatter &&
      this.emitBatch === FileHandler.prototype.emitBatch &&
      this.format === Handler.prototype.format
    );
  }

  /** One write of a batch, holding the interprocess lock when this destination takes one. */
  #write(write: () => void): void {
    const lock = this.#interprocessLock();
    if (lock === undefined) {
      write();
      return;
    }
    const held = lock.acquire(INTERPROCESS_LOCK_MS);
    if (!held && ++this.lockTimeouts === 1) {
      writeStderr(`reference logger: handler ${this.name} wrote without ${lock.path}: another process held it over ${INTERPROCESS_LOCK_MS} ms\n`);
    }
    try {
      write();
    } finally {
      if (held) lock.release();
    }
  }

  /** The lock file, decided at the first write ('auto': a pipe or a socket gets one). */
  #interprocessLock(): LockFile | undefined {
    if (this.#lockMode === 'auto') {
      let shared = false;
      try {
        const stat = statSync(this.#filename as string);
        shared = stat.isFIFO() || stat.isSocket();
      } catch {
        // Not there yet: a file the writer will create.
      }
      this.#lockMode = shared;
    }
    if (this.#lockMode === true) this.#lock ??= new LockFile(`${this.#filename as string}.lock`);
    return this.#lock;
  }

  protected emit(record: LogRecord): void {
    this.emitBatch([record]);
  }

  override flush(): void {
    this.writer.flush?.();
  }

  override close(): void {
    this.writer.close?.();
  }
}

/** A file that is renamed to name.1 (name.1 to name.2, …) before it would exceed maxBytes. */
export class RotatingFileHandler extends Handler {
  readonly filename: string;
  readonly maxBytes: number;
  readonly backupCount: number;
  #fd: number | undefined;
  #size = 0;

  constructor(name: string, filename: string, maxBytes: number, backupCount: number, delay = true) {
    super(name, 'reference.handler.rotating-file');
    this.filename = filename;
    this.maxBytes = maxBytes;
    this.backupCount = backupCount;
    if (!delay) this.#open();
  }

  #open(): number {
    if (this.#fd === undefined) {
      this.#fd = openSync(this.filename, 'a');
      this.#size = fstatSync(this.#fd).size;
    }
    return this.#fd;
  }

  #rotate(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(`${this.filename}.${this.backupCount}`, { force: true });
    for (let i = this.backupCount - 1; i >= 1; i--) {
      if (existsSync(`${this.filename}.${i}`)) renameSync(`${this.filename}.${i}`, `${this.filename}.${i + 1}`);
    }
    if (existsSync(this.filename)) renameSync(this.filename, `${this.filename}.1`);
  }

  #write(bytes: Buffer): void {
    writeAll(this.#open(), bytes);
    this.#size += bytes.length;
  }

  protected override emitBatch(records: readonly LogRecord[]): void {
    // Lines are gathered while they fit; a line that would overflow the file rotates it first.
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (const r of records) {
      const line = Buffer.from(`${this.format(r)}\n`, 'utf8');
      this.#open();
      if (this.#size + chunkBytes > 0 && this.#size + chunkBytes + line.length > this.maxBytes) {
        if (chunk.length > 0) this.#write(Buffer.concat(chunk, chunkBytes));
        chunk = [];
        chunkBytes = 0;
        if (this.#size > 0) this.#rotate();
      }
      chunk.push(line);
      chunkBytes += line.length;
    }
    if (chunk.length > 0) this.#write(Buffer.concat(chunk, chunkBytes));
  }

  protected emit(record: LogRecord): void {
    this.emitBatch([record]);
  }

  override close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Buffers records and hands them to its target when one at or above `flushLevel` arrives, when
 * `capacity` records are buffered, on flush(), and on close() if `flushOnClose`.
 */
export class MemoryHandler extends Handler {
  readonly capacity: number;
  readonly flushLevel: number;
  readonly target: Handler;
  readonly flushOnClose: boolean;
  #buffer: LogRecord[] = [];

  constructor(name: string, capacity: number, target: Handler, flushLevel = ERROR, flushOnClose = true) {
    super(name, 'reference.handler.memory');
    this.capacity = capacity;
    this.target = target;
    this.flushLevel = flushLevel;
    this.flushOnClose = flushOnClose;
  }

  protected emit(record: LogRecord): void {
    this.#buffer.push(record);
    if (record.level >= this.flushLevel || this.#buffer.length >= this.capacity) this.#flushBuffer();
  }

  #flushBuffer(): void {
    const buffered = this.#buffer;
    this.#buffer = [];
    // The target's handle() isolates its own failures.
    if (buffered.length > 0) this.target.handle(buffered);
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  override flush(): void {
    this.lock.with(() => this.#flushBuffer());
  }

  override close(): void {
    if (this.flushOnClose) this.flush();
    else this.#buffer = [];
  }
}

// ---- building handlers from configuration (in the listener thread) ----

async function loadExport(ref: ModuleRef, what: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.module)) as Record<string, unknown>;
  } catch (error: unknown) {
    throw new Error(`Could not load ${what} module ${ref.module}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = ref.export ?? 'default';
  const value = mod[name];
  if (value === undefined) {
    throw new Error(`Expected ${what} module ${ref.module} to export \`${name}\`, but it exports ${Object.keys(mod).join(', ') || 'nothing'}`);
  }
  return value;
}

function buildFormatter(config: LoggingConfig, name: string | undefined): Formatter {
  if (name === undefined) return new JsonFormatter();
  const f = config.formatters?.[name];
  if (f === undefined || !('template' in f)) return new JsonFormatter();
  return new TemplateFormatter(f.template);
}

async function buildFilter(f: FilterConfig): Promise<Filter> {
  switch (f.type) {
    case 'level-range': {
      const min = f.min !== undefined ? levelValue(f.min) : 0;
      const max = f.max !== undefined ? levelValue(f.max) : Infinity;
      return { filter: (r) => r.level >= min && r.level <= max };
    }
    case 'name': {
      const prefix = f.name;
      return { filter: (r) => prefix === '' || r.name === prefix || r.name.startsWith(`${prefix}.`) };
    }
    case 'custom': {
      const value = await loadExport(f, 'filter');
      if (typeof value !== 'function') throw new Error(`Expected filter ${f.module}#${f.export ?? 'default'} to be a class or a function`);
      const ctor = value as new (options: unknown) => Filter;
      // A class with a filter method, or a plain predicate.
      if (typeof (ctor.prototype as Partial<Filter> | undefined)?.filter === 'function') return new ctor(f.options);
      const fn = value as (r: LogRecord) => boolean;
      return { filter: fn };
    }
  }
}

/** Builds every handler of a configuration, targets before the memory handlers that use them. */
export async function buildHandlers(config: LoggingConfig): Promise<Map<string, Handler>> {
  const specs = config.handlers ?? {};
  const built = new Map<string, Handler>();
  const filters = new Map<string, Filter>();
  for (const [name, f] of Object.entries(config.filters ?? {})) filters.set(name, await buildFilter(f));
  const build = async (name: string): Promise<Handler> => {
    const existing = built.get(name);
    if (existing !== undefined) return existing;
    const spec = specs[name] as HandlerConfig;
    const handler = await construct(name, spec, build);
    if (spec.level !== undefined) handler.level = levelValue(spec.level);
    handler.formatter = buildFormatter(config, spec.formatter);
    handler.filters = (spec.filters ?? []).map((f) => filters.get(f) as Filter);
    built.set(name, handler);
    return handler;
  };
  for (const name of Object.keys(specs)) await build(name);
  return built;
}

async function construct(name: string, spec: HandlerConfig, build: (name: string) => Promise<Handler>): Promise<Handler> {
  switch (spec.type) {
    case 'stream':
      return new StreamHandler(name, spec.stream);
    case 'file': {
      if (spec.writer === undefined) return new FileHandler(name, fileWriter(spec.filename, spec.delay ?? true), spec.filename, spec.interprocessLock);
      const factory = await loadExport(spec.writer, 'writer');
      if (typeof factory !== 'function') throw new Error(`Expected writer ${spec.writer.module}#${spec.writer.export ?? 'default'} to be a function (filename, options) => Writer`);
      return new FileHandler(name, (factory as (file: string, options: unknown) => Writer)(spec.filename, spec.writer.options), spec.filename, spec.interprocessLock);
    }
    case 'rotating-file':
      return new RotatingFileHandler(name, spec.filename, spec.maxBytes, spec.backupCount, spec.delay ?? true);
    case 'memory':
      return new MemoryHandler(name, spec.capacity, await build(spec.target), levelValue(spec.flushLevel ?? 'error'), spec.flushOnClose ?? true);
    case 'null':
      return new NullHandler(name);
    case 'port':
      return new PortHandler(name, spec.port, spec.counters);
    case 'writable':
      throw new Error(`handler ${name}: a 'writable' handler is set up by configure() in the thread that owns the stream; it cannot be built in the listener`);
    case 'custom': {
      const ctor = await loadExport(spec, 'handler');
      if (typeof ctor !== 'function') throw new Error(`Expected handler ${spec.module}#${spec.export ?? 'default'} to be a Handler subclass`);
      const handler = new (ctor as new (name: string, options: unknown) => Handler)(name, spec.options);
      if (typeof handler.handle !== 'function') throw new Error(`Expected handler ${spec.module}#${spec.export ?? 'default'} to extend Handler`);
      return handler;
    }
  }
}
