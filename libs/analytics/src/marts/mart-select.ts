import type { DuckDBValue } from '@duckdb/node-api';
import {
  filterParameter,
  InvalidMartQueryError,
  MART_DEFAULT_ORDER,
  MART_PAGE_MAX_LIMIT,
  UnknownMartColumnError,
  type MartColumn,
  type MartFilter,
  type MartInfo,
  type MartQuery,
} from './mart-reader.js';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const NUMERIC = /^(DECIMAL\(\d+,\d+\)|FLOAT|DOUBLE|REAL)$/;
const ORDERED = /^(DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE)$/;
const INTEGER_TEXT = /^[+-]?\d{1,30}$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const I64 = 2n ** 63n;

const isValidDate = (text: string): boolean => {
  const m = DATE_TEXT.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
};

/**
 * One filter value as a bound parameter and the SQL expression that reads it (`$3`, `CAST($3 AS DATE)`),
 * the type coming from the catalog; text that does not fit the column's type is a 400 naming the
 * parameter, never a DuckDB error.
 */
const bindValue = (filter: MartFilter, column: MartColumn, text: string, position: number): { sql: string; value: DuckDBValue } => {
  const parameter = filterParameter(filter);
  const bad = (expected: string) =>
    new InvalidMartQueryError(parameter, `${parameter}: "${text}" is not ${expected} (column ${column.name} is ${column.type})`);
  const type = column.type.toUpperCase();
  if (INTEGER.test(type)) {
    if (!INTEGER_TEXT.test(text)) throw bad('an integer');
    const n = BigInt(text);
    if (n >= I64 || n < -I64) throw bad('a 64-bit integer');
    return { sql: `$${position}`, value: n };
  }
  if (NUMERIC.test(type)) {
    if (!NUMBER_TEXT.test(text) || !Number.isFinite(Number(text))) throw bad('a number');
    return { sql: `$${position}`, value: Number(text) };
  }
  if (type === 'DATE') {
    if (!isValidDate(text)) throw bad('a date (YYYY-MM-DD)');
    return { sql: `CAST($${position} AS DATE)`, value: text };
  }
  if (ORDERED.test(type)) {
    if (!TIMESTAMP_TEXT.test(text) || Number.isNaN(Date.parse(text))) throw bad('a timestamp (ISO-8601)');
    return { sql: `CAST($${position} AS ${type})`, value: text };
  }
  if (type === 'BOOLEAN') {
    if (text !== 'true' && text !== 'false') throw bad('true or false');
    return { sql: `$${position}`, value: text === 'true' };
  }
  if (type === 'VARCHAR') {
    if (filter.op !== 'eq') throw new InvalidMartQueryError(parameter, `${parameter}: column ${column.name} is text: filter it by equality (${column.name}=…)`);
    return { sql: `$${position}`, value: text };
  }
  throw new InvalidMartQueryError(parameter, `${parameter}: column ${column.name} (${column.type}) cannot be filtered`);
};

const COMPARISON = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export const quoted = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * The WHERE and ORDER BY of a mart read, from the mart's catalog entry: identifiers only from the catalog,
 * values as bound parameters (`$1`, …). Every column breaks ties after the requested order, so the pages
 * of one refresh never overlap or skip a row. Bad input is an {@link InvalidMartQueryError}.
 */
export const martSelect = (
  mart: Pick<MartInfo, 'name' | 'columns'>,
  query: MartQuery,
): { where: string; orderBy: string; params: DuckDBValue[] } => {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MART_PAGE_MAX_LIMIT) {
    throw new InvalidMartQueryError('limit', `limit must be an integer from 1 to ${MART_PAGE_MAX_LIMIT}`);
  }
  if (!Number.isSafeInteger(query.offset) || query.offset < 0) throw new InvalidMartQueryError('offset', 'offset must be an integer from 0');
  const columns = new Map(mart.columns.map((c) => [c.name, c]));
  const known = mart.columns.map((c) => c.name).join(', ');

  const params: DuckDBValue[] = [];
  const conditions = query.filters.map((filter) => {
    const parameter = filterParameter(filter);
    const column = columns.get(filter.column);
    if (!column) throw new UnknownMartColumnError(parameter, `${parameter}: ${mart.name} has no column "${filter.column}" (columns: ${known})`);
    if (filter.values.length === 0) throw new InvalidMartQueryError(parameter, `${parameter}: no value`);
    if (filter.op !== 'eq' && filter.values.length > 1) throw new InvalidMartQueryError(parameter, `${parameter}: give one bound, not ${filter.values.length}`);
    const bound = filter.values.map((text) => {
      const b = bindValue(filter, column, text, params.length + 1);
      params.push(b.value);
      return b.sql;
    });
    if (filter.op === 'eq') return bound.length === 1 ? `${quoted(column.name)} = ${bound[0]}` : `${quoted(column.name)} IN (${bound.join(', ')})`;
    return `${quoted(column.name)} ${COMPARISON[filter.op]} ${bound[0]}`;
  });

  for (const o of query.order) {
    if (!columns.has(o.column)) throw new UnknownMartColumnError('order', `order: ${mart.name} has no column "${o.column}" (columns: ${known})`);
  }
  const requested = query.order.length > 0
    ? query.order
    : (MART_DEFAULT_ORDER[mart.name] ?? []).map((o) => ({ column: o.replace(/^-/, ''), descending: o.startsWith('-') })).filter((o) => columns.has(o.column));
  const tieBreakers = mart.columns.filter((c) => !requested.some((o) => o.column === c.name)).map((c) => ({ column: c.name, descending: false }));
  const orderBy = [...requested, ...tieBreakers].map((o) => `${quoted(o.column)} ${o.descending ? 'DESC' : 'ASC'} NULLS LAST`).join(', ');

  return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', orderBy, params };
};
