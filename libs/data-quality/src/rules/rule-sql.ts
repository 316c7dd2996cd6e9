import type { QualityRule } from './quality-rule.js';

const quoteIdentifier = (name: string): string => `"${name}"`;
const qualified = (table: string): string => table.split('.').map(quoteIdentifier).join('.');
const literal = (value: string | number): string => (typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`);

/** Latest purchase in the data: the reference time of FRESHNESS rules unless a rule says otherwise. */
export const DEFAULT_AS_OF = '(SELECT max(purchased_at) FROM core.fact_orders)';

/**
 * The SQL of a row-level rule: a `checked` relation with the rule's sample columns, the checked `value`
 * (as text) and whether the row `failed`. `counts` and `samples` select from it.
 */
export interface RuleQueries {
  readonly counts: string;
  readonly samples: (limit: number) => string;
}

const failedWhen = (rule: QualityRule): string => {
  switch (rule.type) {
    case 'NOT_NULL':
      return 'b.__value IS NULL';
    case 'UNIQUE':
      return 'b.__occurrences > 1';
    case 'RANGE': {
      const bounds = [rule.min !== undefined ? `b.__value < ${rule.min}` : null, rule.max !== undefined ? `b.__value > ${rule.max}` : null];
      return bounds.filter((b) => b !== null).join(' OR ');
    }
    case 'ACCEPTED_VALUES':
      return `b.__value NOT IN (${rule.values!.map(literal).join(', ')})`;
    case 'REFERENTIAL': {
      const ref = rule.references!;
      const unknown = rule.unknownKey !== undefined ? `b.__value = ${rule.unknownKey} OR ` : '';
      return `b.__value IS NOT NULL AND (${unknown}NOT EXISTS (SELECT 1 FROM ${qualified(ref.table)} AS r WHERE r.${quoteIdentifier(ref.column)} = b.__value))`;
    }
    case 'FRESHNESS':
      throw new Error('FRESHNESS is not a row-level rule');
  }
};

const valueOf = (rule: QualityRule): string =>
  rule.type === 'UNIQUE' ? `concat_ws('|', ${rule.columns!.map((c) => `t.${quoteIdentifier(c)}`).join(', ')})` : (rule.expression ?? `t.${quoteIdentifier(rule.column!)}`);

/** Only NOT_NULL and UNIQUE look at NULL values; the other types check the rows that have a value. */
const checksNulls = (rule: QualityRule): boolean => rule.type === 'NOT_NULL' || rule.type === 'UNIQUE';

const rowLevelQueries = (rule: QualityRule): RuleQueries => {
  const sample = rule.sample.map((c) => `CAST(t.${quoteIdentifier(c)} AS VARCHAR) AS ${quoteIdentifier(c)}`);
  const occurrences = rule.type === 'UNIQUE' ? [`count(*) OVER (PARTITION BY ${rule.columns!.map((c) => `t.${quoteIdentifier(c)}`).join(', ')}) AS __occurrences`] : [];
  const checked = `WITH b AS (
      SELECT ${[...sample, `${valueOf(rule)} AS __value`, ...occurrences].join(', ')}
      FROM ${qualified(rule.table)} AS t${rule.where ? ` WHERE ${rule.where}` : ''}
    ), checked AS (
      SELECT ${[...rule.sample.map((c) => `b.${quoteIdentifier(c)}`), 'CAST(b.__value AS VARCHAR) AS value', `COALESCE(${failedWhen(rule)}, false) AS failed`].join(', ')},
             ${checksNulls(rule) ? 'true' : 'b.__value IS NOT NULL'} AS checked
      FROM b
    )`;
  return {
    counts: `${checked} SELECT count(*) FILTER (WHERE checked) AS rows_checked, count(*) FILTER (WHERE failed) AS rows_failed FROM checked`,
    samples: (limit) => `${checked} SELECT * EXCLUDE (failed, checked) FROM checked WHERE failed ORDER BY ALL LIMIT ${limit}`,
  };
};

/** FRESHNESS: one row (the table), failed when its latest value is older than `maxAgeDays` before `asOf`. */
const freshnessQueries = (rule: QualityRule): RuleQueries => {
  const checked = `WITH checked AS (
      SELECT CAST(latest AS VARCHAR) AS latest, CAST(as_of AS VARCHAR) AS as_of,
             COALESCE(latest >= as_of - INTERVAL (${rule.maxAgeDays}) DAY, false) = false AS failed
      FROM (SELECT max(${valueOf(rule)}) AS latest, ${rule.asOf ?? DEFAULT_AS_OF} AS as_of
            FROM ${qualified(rule.table)} AS t${rule.where ? ` WHERE ${rule.where}` : ''})
    )`;
  return {
    counts: `${checked} SELECT count(*) AS rows_checked, count(*) FILTER (WHERE failed) AS rows_failed FROM checked`,
    samples: (limit) => `${checked} SELECT * EXCLUDE (failed) FROM checked WHERE failed LIMIT ${limit}`,
  };
};

/** The queries that evaluate a rule against DuckDB. Rules are trusted configuration (identifiers are validated on load). */
export const ruleQueries = (rule: QualityRule): RuleQueries => (rule.type === 'FRESHNESS' ? freshnessQueries(rule) : rowLevelQueries(rule));
