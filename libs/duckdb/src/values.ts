import {
  DuckDBTypeId,
  JSDuckDBValueConverter,
  decimalValue,
  timestampValue,
  type DuckDBDecimalValue,
  type DuckDBTimestampValue,
  type DuckDBValueConverter,
  type JS,
} from '@duckdb/node-api';

/**
 * A value in a plain row: what {@link DuckDbClient.query} returns per column.
 * - BIGINT, HUGEINT and the unsigned 64/128-bit types: `bigint` (surrogate keys need all 64 bits);
 * - DECIMAL: its exact text (`'58.90'`), never a float;
 * - DATE: `'YYYY-MM-DD'`; TIMESTAMP: a `Date` (UTC);
 * - everything else as `@duckdb/node-api`'s JS conversion gives it (numbers, strings, booleans, …).
 */
export type PlainValue = JS;
export type PlainRow = Record<string, PlainValue>;

export const plainValueConverter: DuckDBValueConverter<JS> = (value, type, converter) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.DATE:
      return String(value);
    default:
      return JSDuckDBValueConverter(value, type, converter);
  }
};

/** Integer centavos as an exact DECIMAL(18,2) value (no float on the way). */
export const decimalFromCentavos = (centavos: number | bigint): DuckDBDecimalValue =>
  decimalValue(typeof centavos === 'bigint' ? centavos : BigInt(centavos), 18, 2);

const MICROS_PER_MS = 1000n;
/** A date-time without a zone designator would be read as local time by Date.parse: read it as UTC. */
const HAS_ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/**
 * An ISO-8601 timestamp ('2017-10-02T10:56:33.000Z') as a DuckDB TIMESTAMP (UTC). Undefined, null or
 * unparsable text gives null.
 */
export const timestampFromIso = (iso: string | null | undefined): DuckDBTimestampValue | null => {
  if (iso == null) return null;
  const ms = Date.parse(HAS_ZONE.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  return Number.isFinite(ms) ? timestampValue(BigInt(ms) * MICROS_PER_MS) : null;
};
