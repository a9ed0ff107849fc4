/**
 * The reference logger's public surface: the seeds' architecture (QueueHandler → one bounded
 * shared queue → QueueListener thread owning the handlers) for Node's worker threads.
 *
 * ```ts
 * const logging = await configure({ handlers: { file: { type: 'file', filename: 'app.log' } }, root: { level: 'info', handlers: ['file'] } });
 * getLogger('app.db').info('connected', { host });
 * logging.stop();
 * ```
 */

export { configure, LoggingSystem, type SystemVariant } from './system.js';
export { connect, contextStorage, getLogger, Logger, LoggingClient, withContext, type Extra, type SharedSetup, type Variant } from './logger.js';
export { ConfigError, validateConfig, type FilterConfig, type FormatterConfig, type HandlerConfig, type LoggerConfig, type LoggingConfig, type ModuleRef } from './config.js';
export { FileHandler, fileWriter, Handler, MemoryHandler, NullHandler, RotatingFileHandler, StreamHandler, type Filter, type Writer } from './handlers.js';
export { JsonFormatter, TemplateFormatter, PLACEHOLDERS, type Formatter } from './format.js';
export { Listener, type HandlerTable, type ListenerVariant } from './listener.js';
export { SharedQueue, type DropCounts, type DropListener, type QueueHandle } from './queue.js';
export { DEBUG, ERROR, FATAL, INFO, WARN, levelName, levelValue, type LevelName } from './levels.js';
export type { LogRecord, RecordBatch } from './record.js';
