import { LineageKeyError } from '@olist/analytics';

/** `?<key column>=value…&limit=&offset=`: the key of a row, and paging. */
export const lineageQuery = (raw: Record<string, unknown>): { key: Record<string, string>; limit: number; offset: number } => {
  const key: Record<string, string> = {};
  let limit = 100;
  let offset = 0;
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (typeof value !== 'string' || value.length > 1000) throw new LineageKeyError(`${name}: give one value as text`, { parameter: name });
    if (name === 'limit' || name === 'offset') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < (name === 'limit' ? 1 : 0) || n > (name === 'limit' ? 10_000 : 1e9)) {
        throw new LineageKeyError(`${name} must be a whole number (${name === 'limit' ? '1-10000' : '0 or more'})`, { parameter: name });
      }
      if (name === 'limit') limit = n;
      else offset = n;
      continue;
    }
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new LineageKeyError(`${name.slice(0, 40)}: not a key column`, { parameter: name.slice(0, 40) });
    key[name] = value;
  }
  return { key, limit, offset };
};
