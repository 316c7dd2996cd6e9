/** Olist timestamps are naive "YYYY-MM-DD HH:MM:SS" strings; the generator handles them as UTC milliseconds. */
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** UTC ms → "YYYY-MM-DD HH:MM:SS" (seconds truncated). */
export const formatTimestamp = (ms: number): string => {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
};

/** "YYYY-MM-DD HH:MM:SS" → UTC ms (NaN when malformed). */
export const parseTimestamp = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`);

/** Midnight (UTC) of the day containing `ms`. */
export const startOfDay = (ms: number): number => ms - (((ms % DAY) + DAY) % DAY);

/** Empty string for a missing timestamp, formatted otherwise. */
export const optionalTimestamp = (ms: number | null): string => (ms === null ? '' : formatTimestamp(ms));
