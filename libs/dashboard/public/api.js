// The JSON API, called with the reader's key: the page holds no data of its own.

const KEY_ITEM = 'olist-dw.apiKey';

export const storedKey = () => sessionStorage.getItem(KEY_ITEM);
export const storeKey = (key) => sessionStorage.setItem(KEY_ITEM, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

/** An answer other than 2xx: the API's `{ code, message, details }`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? `HTTP_${status}`;
    this.details = body?.details ?? {};
  }
}

const listeners = new Set();
/** Called with the error when the API refuses the key itself (401): the page signs out. */
export const onUnauthenticated = (listener) => listeners.add(listener);

/** GET `path` with `params` (undefined and '' are left out; an array repeats the parameter). */
export const apiGet = async (path, params = {}, key = storedKey()) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined && v !== null && v !== '') query.append(name, String(v));
  }
  const url = query.size > 0 ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { authorization: `Bearer ${key ?? ''}`, accept: 'application/json' } });
  const body = await response.json().catch(() => undefined);
  if (response.ok) return body;
  const error = new ApiError(response.status, body);
  if (response.status === 401) for (const listener of listeners) listener(error);
  throw error;
};

/** Every row of a mart (pages of 10,000), all from one refresh: a refresh between two pages starts over. */
export const readMart = async (name, params = {}) => {
  for (let attempt = 0; ; attempt++) {
    const rows = [];
    let first;
    for (let offset = 0; ; offset += 10_000) {
      const page = await apiGet(`/v1/marts/${name}`, { ...params, limit: 10_000, offset });
      first ??= page;
      if (page.refresh.sequence !== first.refresh.sequence) break;
      rows.push(...page.rows);
      if (rows.length >= page.total || page.rows.length === 0) return { ...first, rows };
    }
    if (attempt >= 3) throw new Error(`mart ${name} kept being refreshed while it was read`);
  }
};

/** What to tell the reader when a section cannot be read. */
export const explain = (error, what) => {
  if (error instanceof ApiError && error.status === 403) {
    const role = error.details.role ? `role ${error.details.role}` : 'this key';
    const admitted = Array.isArray(error.details.admitted) ? ` It needs one of: ${error.details.admitted.join(', ')}.` : '';
    return `Your key's ${role} may not read ${what}.${admitted}`;
  }
  if (error instanceof ApiError && error.status === 503) return `${what} cannot be read yet: ${error.message}. Try again in a moment.`;
  if (error instanceof ApiError) return `${what}: ${error.status} ${error.code}: ${error.message}`;
  return `${what}: ${error.message}`;
};
