import type { DuckDbClient } from '@olist/duckdb';
import { isPersonalColumn, WITHHELD } from '@olist/personal-data';
import type { FailingRowSample, QualityCheckResult, QualityRule, RuleSet } from './quality-rule.js';
import { ruleQueries } from './rule-sql.js';
import { checkPasses } from './score.js';

export const DEFAULT_SAMPLE_SIZE = 5;

/**
 * A sample as recorded (in QualityCheckRecorded, in the clear): a personal column's value, or the checked value of
 * a rule on one, is withheld — it would outlive its person's erasure in the log.
 */
const withholdPersonal = (rule: QualityRule, sample: FailingRowSample): FailingRowSample => {
  const out: Record<string, string | null> = {};
  for (const [column, v] of Object.entries(sample)) {
    const personal = column === 'value' ? rule.column !== undefined && isPersonalColumn(rule.table, rule.column) : isPersonalColumn(rule.table, column);
    out[column] = personal && v !== null ? WITHHELD : v;
  }
  return out;
};

/**
 * Runs every rule of a rule set against the star schema, in one read transaction so all checks see the
 * same snapshot (the projector may be writing meanwhile). A rule that cannot run fails, with its error.
 */
export const runQualityChecks = async (
  client: DuckDbClient,
  ruleSet: RuleSet,
  { sampleSize = DEFAULT_SAMPLE_SIZE }: { sampleSize?: number } = {},
): Promise<QualityCheckResult[]> =>
  client.transaction(async (tx) => {
    const results: QualityCheckResult[] = [];
    for (const rule of ruleSet.rules) {
      const threshold = rule.threshold ?? 0;
      const base = { ruleId: rule.id, ruleType: rule.type, severity: rule.severity, table: rule.table, description: rule.description, threshold };
      try {
        const queries = ruleQueries(rule);
        const counts = (await tx.queryOne<{ rows_checked: bigint | number; rows_failed: bigint | number }>(queries.counts))!;
        const rowsChecked = Number(counts.rows_checked);
        const rowsFailed = Number(counts.rows_failed);
        const samples = rowsFailed > 0 ? (await tx.query<FailingRowSample>(queries.samples(sampleSize))).map((sample) => withholdPersonal(rule, sample)) : [];
        results.push({ ...base, rowsChecked, rowsFailed, passed: checkPasses(rowsChecked, rowsFailed, threshold), samples });
      } catch (error) {
        results.push({ ...base, rowsChecked: 0, rowsFailed: 0, passed: false, samples: [], error: (error as Error).message });
      }
    }
    return results;
  });
