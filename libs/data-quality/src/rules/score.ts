import type { QualityCheckResult, Severity } from './quality-rule.js';

/** How much a check of each severity weighs in the score. */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { CRITICAL: 3, WARNING: 2, INFO: 1 };

/** Spec §9: below 95 the run completes with WARN, below 80 it is FAILED. */
export const WARN_BELOW = 95;
export const FAIL_BELOW = 80;

export type QualityOutcome = 'SUCCESS' | 'WARN' | 'FAILED';

/** Passes when the failed share does not exceed the rule's threshold; an empty table passes. */
export const checkPasses = (rowsChecked: number, rowsFailed: number, threshold: number): boolean =>
  rowsFailed === 0 || (rowsChecked > 0 && rowsFailed / rowsChecked <= threshold);

/** Share of passed checks weighted by severity, 0-100 with two decimals (100 when there is no check). */
export const qualityScore = (checks: ReadonlyArray<Pick<QualityCheckResult, 'severity' | 'passed'>>): number => {
  let total = 0;
  let passed = 0;
  for (const c of checks) {
    total += SEVERITY_WEIGHTS[c.severity];
    if (c.passed) passed += SEVERITY_WEIGHTS[c.severity];
  }
  return total === 0 ? 100 : Math.round((passed / total) * 10_000) / 100;
};

export const qualityOutcome = (score: number): QualityOutcome => (score < FAIL_BELOW ? 'FAILED' : score < WARN_BELOW ? 'WARN' : 'SUCCESS');
