/** Base calendar of core.dim_date; extended (whole years, contiguously) when a date key falls outside it. */
export const CALENDAR_FROM_YEAR = 2016;
export const CALENDAR_TO_YEAR = 2020;
/** core.date_key maps years outside this window to 0 (unknown), so the calendar never grows past it. */
export const CALENDAR_MIN_YEAR = 1900;
export const CALENDAR_MAX_YEAR = 2199;

export const inCalendarWindow = (year: number): boolean => year >= CALENDAR_MIN_YEAR && year <= CALENDAR_MAX_YEAR;

/** core.date_key in JS: yyyymmdd of the UTC date, 0 for null, unparsable or outside the calendar window. */
export const dateKey = (iso: string | null): number => {
  if (iso === null) return 0;
  const ms = Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) return 0;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return inCalendarWindow(y) ? y * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate() : 0;
};

/** The smallest and largest year, within the calendar window, of the dates noted: what core.dim_date must cover for their keys. */
export class YearSpan {
  min: number | undefined;
  max: number | undefined;

  note(iso: string | null): void {
    if (iso === null) return;
    const y = Number(iso.slice(0, 4));
    if (!Number.isInteger(y) || !inCalendarWindow(y)) return;
    if (this.min === undefined || y < this.min) this.min = y;
    if (this.max === undefined || y > this.max) this.max = y;
  }
}

export const calendarSql = (fromYear: number, toYear: number): string => `
  INSERT INTO core.dim_date
  SELECT core.date_key(d), d, year(d), quarter(d), month(d), monthname(d), day(d), isodow(d), week(d),
         date_trunc('month', d)::DATE, isodow(d) IN (6, 7)
  FROM (SELECT CAST(t.ts AS DATE) AS d
        FROM generate_series(DATE '${fromYear}-01-01', DATE '${toYear}-12-31', INTERVAL 1 DAY) AS t(ts))
  ON CONFLICT DO NOTHING`;
