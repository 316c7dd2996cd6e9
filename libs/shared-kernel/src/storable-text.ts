const SUSPECT = /[\0\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * Why a text cannot be stored as it is, if it cannot: PostgreSQL text and jsonb hold neither U+0000 nor half of a
 * UTF-16 surrogate pair (which no UTF-8 file can contain, but a JSON body or a URL can).
 */
export function unstorableTextProblem(v: string): string | undefined {
  if (!SUSPECT.test(v)) return undefined;
  if (v.includes('\0')) return 'contains a NUL character (U+0000)';
  return LONE_SURROGATE.test(v) ? 'contains an unpaired UTF-16 surrogate (not Unicode text)' : undefined;
}

/** The text with what {@link unstorableTextProblem} finds replaced by U+FFFD. */
export function storableText(v: string): string {
  return SUSPECT.test(v) ? v.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD') : v;
}

/** A JSON-like value with {@link storableText} applied to every string in it, keys included. */
export function storableJson<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => storableJson(v)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
  }
  return value;
}
