/**
 * logjam's public API: everything a user's adapter, or a test suite driving the harness, needs.
 */

export { defineAdapter, LEVELS } from './adapter.js';
export type { AdapterContext, AdapterDefinition, Capabilities, Level, LoggerInstance } from './adapter.js';
export { defineScenario } from './scenario.js';
export type { ScenarioContext, ScenarioDefinition } from './scenario.js';
export { Ledger } from './ledger.js';
export type { Reconciliation } from './ledger.js';
export { encodeRecord, parseLine } from './record.js';
export { resolveAdapter, resolveScenario } from './registry.js';
export { runSuite } from './suite.js';
export type { SuiteOptions } from './suite.js';
export { superviseRun } from './supervisor.js';
export type { SuperviseOptions } from './supervisor.js';
export { EXIT, exitCodeFor, FINDING_KINDS } from './result.js';
export type { Finding, FindingKind, Report, RunMetrics, RunResult, RunStatus, Severity } from './result.js';
