/**
 * The reporter contract lives in harness/contract/reporter.ts (the suite calls it, so it sits
 * below the suite); this module re-exports it for reporters and for users' own reporters.
 */

export type { Output, PlannedRun, Reporter, ShrinkEvent } from '../harness/contract/reporter.js';
