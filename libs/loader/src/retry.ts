/** Exponential backoff with jitter. */
export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  readonly attempts: number;
  /** Delay before the first retry; doubles after each attempt. */
  readonly baseDelayMs: number;
  /** Cap on one delay (before jitter), and on a server's Retry-After. */
  readonly maxDelayMs: number;
  /** Share of each delay that is randomised: 0 = none, 1 = full jitter. */
  readonly jitter: number;
}

/** Ten attempts: 20 to 40 s of waits in all, enough to ride out a restart of the API or of PostgreSQL. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 10, baseDelayMs: 200, maxDelayMs: 10_000, jitter: 0.5 };

/**
 * Delay before retry number `retry` (1-based): `min(max, base * 2^(retry-1))`, of which the `jitter`
 * share is drawn at random (so concurrent clients spread out), never below a server's Retry-After.
 */
export const backoffDelay = (
  policy: RetryPolicy,
  retry: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number => {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = exp * (1 - policy.jitter) + exp * policy.jitter * random();
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxDelayMs);
  return Math.round(Math.max(jittered, floor));
};

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds. */
export const parseRetryAfter = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/** Sleeps, rejecting with the signal's reason if it is aborted. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
