/** Base calendar of core.dim_date; extended (whole years, contiguously) when a date key falls outside it. */
export const CALENDAR_FROM_YEAR = 2016;
export const CALENDAR_TO_YEAR = 2020;
/** core.date_key maps years outside this window to 0 (unknown), so the calendar never grows past it. */
export const CALENDAR_MIN_YEAR = 1900;
export const CALENDAR_MAX_YEAR = 2199;

export const inCalendarWindow = (year: number): boolean => year >= CALENDAR_MIN_YEAR && year <= CALENDAR_MAX_YEAR;

export const calendarSql = (fromYear: number, toYear: number): string => `
  INSERT INTO core.dim_date
  SELECT core.date_key(d), d, year(d), quarter(d), month(d), monthname(d), day(d), isodow(d), week(d),
         date_trunc('month', d)::DATE, isodow(d) IN (6, 7)
  FROM (SELECT CAST(t.ts AS DATE) AS d
        FROM generate_series(DATE '${fromYear}-01-01', DATE '${toYear}-12-31', INTERVAL 1 DAY) AS t(ts))
  ON CONFLICT DO NOTHING`;
