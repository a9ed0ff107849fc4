/**
 * `logjam`: what a user's adapter or scenario imports. Only the contract, the instrumented locks
 * and logjam's sink: a producer thread that imports this loads no CLI, no catalogue, no
 * fast-check and no bundled logger. The programmatic API (runScenario, runSuite, ...) is
 * `logjam/api`.
 */

export { defineAdapter, LEVELS } from './contract/adapter.js';
export type { AdapterContext, AdapterDefinition, Capabilities, Level, LoggerInstance, ProcessContext, ProcessSetup } from './contract/adapter.js';
export { Condition, LockError, Mutex, registerThread, reportProgress, RwLock, Semaphore, underHarness } from './sync/locks.js';
export type { LockHandle, MutexOptions } from './sync/locks.js';
export { carriesOuterRecord, createSink, reentryHook, SinkError } from './sinks/sinks.js';
export type { Sink, SinkOptions } from './sinks/sinks.js';
export { defineScenario } from './contract/scenario.js';
export type { AnyScenario, ScenarioContext, ScenarioDefinition } from './contract/scenario.js';
export { encodeRecord, parseLine } from './ledger/record.js';
export { EXIT, exitCodeFor, FINDING_KINDS } from './contract/result.js';
export type { Finding, FindingKind, Report, RunMetrics, RunResult, RunStatus, Severity } from './contract/result.js';
export { defineConfig } from './contract/define-config.js';
export type { LogjamConfig } from './contract/define-config.js';
