const OLIST_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Parses an Olist timestamp ("2017-10-02 10:56:33", "2017-10-18 00:00:00", "2017-10-18") as UTC and
 * returns ISO-8601 ("2017-10-02T10:56:33.000Z"). Returns undefined for anything else, including
 * impossible dates such as 2017-02-30.
 */
export const parseOlistTimestamp = (text: string): string | undefined => {
  const m = OLIST_TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((v) => v ?? undefined) as string[];
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== +y! || date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d!) return undefined;
  if (+h > 23 || +mi > 59 || +s > 59) return undefined;
  return date.toISOString();
};

/** The calendar date (UTC) of an ISO timestamp, as YYYY-MM-DD. */
export const utcDate = (iso: string): string => iso.slice(0, 10);

