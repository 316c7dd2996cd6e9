/** Spec §9: what a rule checks. */
export const RULE_TYPES = ['NOT_NULL', 'UNIQUE', 'RANGE', 'REFERENTIAL', 'ACCEPTED_VALUES', 'FRESHNESS'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One rule of a rule set (data, not code: `projections/duckdb/quality/rules.json`). Every rule checks the
 * rows of one star-schema table (optionally narrowed by `where`) and counts the rows that fail:
 * - NOT_NULL: the value is NULL;
 * - UNIQUE: the `columns` combination occurs more than once (every occurrence fails);
 * - RANGE: the value is outside [min, max] (NULL is not checked here: that is NOT_NULL's job);
 * - REFERENTIAL: the value has no row in `references.table`, or is the dimension's `unknownKey` member;
 * - ACCEPTED_VALUES: the value is not in `values`;
 * - FRESHNESS: one row per table: the latest value is older than `maxAgeDays` before `asOf`.
 * The value is `column`, or the SQL `expression` over the table's columns (alias `t`).
 * A check passes when failed rows / checked rows <= `threshold` (default 0: no failure tolerated); rows
 * whose value is NULL are checked only by NOT_NULL and UNIQUE.
 */
export interface QualityRule {
  readonly id: string;
  readonly type: RuleType;
  readonly severity: Severity;
  readonly table: string;
  readonly description: string;
  readonly column?: string;
  readonly expression?: string;
  /** UNIQUE: the columns whose combination must be unique. */
  readonly columns?: ReadonlyArray<string>;
  readonly where?: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: ReadonlyArray<string | number>;
  readonly references?: { readonly table: string; readonly column: string };
  /** REFERENTIAL: the key of the dimension's unknown member (facts point to it until the reference arrives). */
  readonly unknownKey?: number;
  /** FRESHNESS: allowed age of the latest value. */
  readonly maxAgeDays?: number;
  /** FRESHNESS: the reference time, an SQL scalar expression (default: the latest purchase in the data, never the wall clock). */
  readonly asOf?: string;
  /** Share of checked rows allowed to fail (0..1). */
  readonly threshold?: number;
  /** Columns that identify a failing row in the samples. */
  readonly sample: ReadonlyArray<string>;
}

export interface RuleSet {
  readonly name: string;
  readonly version: number;
  readonly rules: ReadonlyArray<QualityRule>;
}

/** A sample failing row: its identifying columns and the value checked, as text. */
export type FailingRowSample = Readonly<Record<string, string | null>>;

/** The outcome of one rule against the star schema. */
export interface QualityCheckResult {
  readonly ruleId: string;
  readonly ruleType: RuleType;
  readonly severity: Severity;
  readonly table: string;
  readonly description: string;
  readonly threshold: number;
  readonly rowsChecked: number;
  readonly rowsFailed: number;
  readonly passed: boolean;
  /** Up to a few failing rows, in a deterministic order. */
  readonly samples: ReadonlyArray<FailingRowSample>;
  /** Why the rule could not run (it then fails). */
  readonly error?: string;
}
