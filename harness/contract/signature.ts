/**
 * A finding's signature: what tells one bug from another across runs and releases, so that
 * `logjam bisect` and FINDINGS.md compare like with like. The kind and the scenario, and how
 * (the finding's own `evidence.signature` where the scenario or watchdog names one, else the
 * cause or origin it recorded). Messages are not part of it: they carry counts and timings.
 */

import type { Finding } from './result.js';

export interface FindingSignature {
  readonly kind: Finding['kind'];
  readonly scenario: string;
  /** How the finding came about, e.g. `throws-in-exit`, `out-of-memory`; '' when it does not say. */
  readonly how: string;
}

/** The signature of `finding`, seen in a run of `scenario`. */
export function findingSignature(scenario: string, finding: Finding): FindingSignature {
  const e = finding.evidence;
  const how = [e['signature'], e['cause'], e['origin'], e['reason']].find((v): v is string => typeof v === 'string' && v !== '') ?? '';
  return { kind: finding.kind, scenario, how };
}

/** One line, `kind@scenario` or `kind@scenario(how)`: the key signatures are compared by. */
export function signatureKey(signature: FindingSignature): string {
  return `${signature.kind}@${signature.scenario}${signature.how !== '' ? `(${signature.how})` : ''}`;
}
