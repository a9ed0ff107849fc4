/**
 * logjam's public API: everything a user's adapter, or a test suite driving the harness, needs.
 */

export { defineAdapter, LEVELS } from './adapter.js';
export type { AdapterContext, AdapterDefinition, Capabilities, Level, LoggerInstance, ProcessContext, ProcessSetup } from './adapter.js';
export { Condition, LockError, Mutex, registerThread, reportProgress, RwLock, Semaphore, underHarness } from './sync.js';
export type { LockHandle, MutexOptions } from './sync.js';
export { createSink, SinkError } from './sinks.js';
export type { Sink, SinkOptions } from './sinks.js';
export { defineScenario } from './scenario.js';
export type { AnyScenario, ScenarioContext, ScenarioDefinition } from './scenario.js';
export { Ledger } from './ledger.js';
export type { Reconciliation } from './ledger.js';
export { encodeRecord, parseLine } from './record.js';
export { resolveAdapter, resolveScenario } from './registry.js';
export { runScenario, runScenarios } from './api.js';
export type { RunScenarioOptions, RunScenariosOptions } from './api.js';
export type { ResolvedAdapter } from './registry.js';
export { runSuite } from './suite.js';
export type { SuiteOptions } from './suite.js';
export { superviseRun } from './supervisor.js';
export type { SuperviseOptions } from './supervisor.js';
export { EXIT, exitCodeFor, FINDING_KINDS } from './result.js';
export type { Finding, FindingKind, Report, RunMetrics, RunResult, RunStatus, Severity } from './result.js';
