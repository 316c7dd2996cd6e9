import { DuckDBTypeId, JSDuckDBValueConverter, JsonDuckDBValueConverter, type DuckDBValueConverter, type Json } from '@duckdb/node-api';
import type { QueryValue } from './query-runner.js';

const TIMESTAMPS: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
]);
const WIDE_INTEGERS: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

/**
 * Values of ad-hoc answers, JSON-safe and like the marts' answers: DATE `YYYY-MM-DD`, TIMESTAMP ISO-8601
 * (milliseconds; `infinity` and dates out of JS range as DuckDB writes them), DECIMAL a number, 64/128-bit
 * integers a number when it is exact, else their digits as text; lists, structs and maps nested; NaN and
 * Infinity, BLOB, TIME, UUID and the rest as `@duckdb/node-api`'s JSON conversion gives them.
 */
export const answerValue: DuckDBValueConverter<QueryValue> = (value, type, converter) => {
  if (value === null) return null;
  if (TIMESTAMPS.has(type.typeId)) {
    try {
      const date = JSDuckDBValueConverter(value, type, JSDuckDBValueConverter);
      if (date instanceof Date) return date.toISOString();
    } catch {
      // Out of the JS Date range (infinity, year 294247): DuckDB's own text below.
    }
  } else if (WIDE_INTEGERS.has(type.typeId)) {
    const n = JSDuckDBValueConverter(value, type, JSDuckDBValueConverter) as bigint;
    return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
  } else if (type.typeId === DuckDBTypeId.DECIMAL) {
    return JSDuckDBValueConverter(value, type, JSDuckDBValueConverter) as number;
  }
  return JsonDuckDBValueConverter(value, type, converter as DuckDBValueConverter<Json>) as QueryValue;
};
