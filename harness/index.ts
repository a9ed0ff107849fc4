/**
 * logjam's public API: everything a user's adapter, or a test suite driving the harness, needs.
 */

export { defineAdapter, LEVELS } from './contract/adapter.js';
export type { AdapterContext, AdapterDefinition, Capabilities, Level, LoggerInstance, ProcessContext, ProcessSetup } from './contract/adapter.js';
export { Condition, LockError, Mutex, registerThread, reportProgress, RwLock, Semaphore, underHarness } from './sync/locks.js';
export type { LockHandle, MutexOptions } from './sync/locks.js';
export { createSink, SinkError } from './sinks/sinks.js';
export type { Sink, SinkOptions } from './sinks/sinks.js';
export { defineScenario } from './contract/scenario.js';
export type { AnyScenario, ScenarioContext, ScenarioDefinition } from './contract/scenario.js';
export { Ledger } from './ledger/ledger.js';
export type { Reconciliation } from './ledger/ledger.js';
export { encodeRecord, parseLine } from './ledger/record.js';
export { resolveAdapter, resolveScenario } from './run/registry.js';
export { runScenario, runScenarios } from './run/api.js';
export type { RunScenarioOptions, RunScenariosOptions } from './run/api.js';
export type { ResolvedAdapter } from './run/registry.js';
export { runSuite } from './run/suite.js';
export type { SuiteOptions } from './run/suite.js';
export { superviseRun } from './run/supervisor.js';
export type { SuperviseOptions } from './run/supervisor.js';
export { EXIT, exitCodeFor, FINDING_KINDS } from './contract/result.js';
export type { Finding, FindingKind, Report, RunMetrics, RunResult, RunStatus, Severity } from './contract/result.js';
