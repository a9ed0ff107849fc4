import type { Report } from '../harness/contract/result.js';
import type { Output, Reporter } from './reporter.js';

/** Prints the whole result model as JSON when the suite ends. */
export function jsonReporter(out: Output): Reporter {
  return {
    onEnd(report: Report) {
      out.write(`${JSON.stringify(report, null, 2)}\n`);
    },
  };
}
