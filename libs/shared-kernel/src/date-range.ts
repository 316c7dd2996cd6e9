import { utcDate } from './timestamps.js';

/** Two instants (ISO-8601, UTC) compared by their calendar dates, as Olist's business rules do. */
export interface DateRange {
  readonly from: string;
  readonly to: string;
}

export const dateRange = (from: string, to: string): DateRange => ({ from, to });

/** Whole calendar days (UTC) from `from`'s date to `to`'s date; negative when `to` is the earlier date. */
export const daysIn = ({ from, to }: DateRange): number => Math.round((Date.parse(utcDate(to)) - Date.parse(utcDate(from))) / 86_400_000);

/** `to` falls on `from`'s date or before it. */
export const endsOnOrBefore = (range: DateRange): boolean => daysIn(range) <= 0;
