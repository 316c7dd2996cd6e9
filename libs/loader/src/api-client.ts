import { randomBytes } from 'node:crypto';
import type {
  BatchResult,
  CompleteRunRequest,
  CompleteRunResponse,
  FailRunRequest,
  FailRunResponse,
  FileIngestionStats,
  IngestBatchRequest,
  PipelineRunView,
  StartRunRequest,
  StartRunResponse,
} from '@olist/ingestion';
import { errorBodyOf } from '@olist/shared-kernel';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, sleep, type RetryPolicy } from './retry.js';

// ---- Errors ------------------------------------------------------------------------------------------

export type ApiErrorKind = 'http' | 'network' | 'timeout' | 'protocol';

/** A failed API call, after any retries. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';

  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    /** Whether the failure was worth retrying (it was, up to the policy's attempts). */
    readonly transient: boolean,
    readonly status?: number,
    /** Attempts made, the first included. */
    readonly attempts = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The API could not be reached (connection refused/reset, timeouts) even after retries. */
export class ApiUnreachableError extends ApiError {
  override readonly name: string = 'ApiUnreachableError';
}

/** HTTP statuses worth retrying. Other 4xx are the request's fault and are not retried. */
export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 425 || status === 429 || (status >= 500 && status !== 501 && status !== 505);

// ---- Client ------------------------------------------------------------------------------------------

export interface RetryEvent {
  readonly operation: string;
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: ApiError;
}

export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout (each attempt). */
  readonly timeoutMs?: number;
  /** Extra headers on every request (e.g. authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onRetry?: (event: RetryEvent) => void;
  /** Test seams. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** HTTP client for the ingestion API, with retries of transient failures (exponential backoff + jitter). */
export class ApiClient {
  readonly baseUrl: string;
  readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (!/^https?:\/\//i.test(this.baseUrl)) throw new TypeError(`API URL must be http(s)://…, got "${options.baseUrl}"`);
  }

  health(): Promise<unknown> {
    return this.request('GET', '/health', undefined, 'health check');
  }

  startRun(runId: string, source: string): Promise<StartRunResponse> {
    const body: StartRunRequest = { runId, source };
    return this.request('POST', '/v1/pipeline-runs', body, 'start pipeline run');
  }

  /**
   * Posts a batch with an `Idempotency-Key` of its own, sent again on each retry: a retry after an attempt that
   * was written but whose answer was lost (the API killed, the database restarting) gets that attempt's answer.
   */
  postBatch(runId: string, file: string, batch: IngestBatchRequest): Promise<BatchResult> {
    const path = `/v1/pipeline-runs/${encodeURIComponent(runId)}/files/${encodeURIComponent(file)}/batches`;
    return this.request('POST', path, batch, `post ${file} batch`, { 'idempotency-key': randomBytes(12).toString('base64url') });
  }

  completeRun(runId: string, files: ReadonlyArray<FileIngestionStats>): Promise<CompleteRunResponse> {
    const body: CompleteRunRequest = { files };
    return this.request('POST', `/v1/pipeline-runs/${encodeURIComponent(runId)}/complete`, body, 'complete pipeline run');
  }

  getRun(runId: string): Promise<PipelineRunView> {
    return this.request('GET', `/v1/pipeline-runs/${encodeURIComponent(runId)}`, undefined, 'read pipeline run');
  }

  failRun(runId: string, error: string): Promise<FailRunResponse> {
    const body: FailRunRequest = { error };
    return this.request('POST', `/v1/pipeline-runs/${encodeURIComponent(runId)}/fail`, body, 'fail pipeline run');
  }

  private async request<T>(method: string, path: string, body: unknown, operation: string, headers: Readonly<Record<string, string>> = {}): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const pause = this.options.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.attempt(method, path, payload, headers)) as T;
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e; // aborted by the caller
        const { error, retryAfterMs } = e;
        if (!error.transient || attempt >= this.retry.attempts) throw this.finalError(error, attempt, operation);
        const delayMs = backoffDelay(this.retry, attempt, retryAfterMs, this.options.random);
        this.options.onRetry?.({ operation, attempt, delayMs, error });
        await pause(delayMs, this.options.signal);
      }
    }
  }

  private finalError(error: ApiError, attempts: number, operation: string): ApiError {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    if (error.kind === 'network' || error.kind === 'timeout') {
      return new ApiUnreachableError(`API unreachable at ${this.baseUrl}: ${operation}: ${error.message}${tries}`, error.kind, true, undefined, attempts, { cause: error.cause });
    }
    return new ApiError(`${operation}: ${error.message}${tries}`, error.kind, error.transient, error.status, attempts, { cause: error.cause });
  }

  /** One HTTP exchange; throws AttemptError for anything that is not a 2xx JSON answer. */
  private async attempt(method: string, path: string, payload: string | undefined, headers: Readonly<Record<string, string>>): Promise<unknown> {
    const userSignal = this.options.signal;
    userSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timeout]) : timeout;
    const doFetch = this.options.fetch ?? fetch;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(this.baseUrl + path, {
        method,
        headers: {
          accept: 'application/json',
          'user-agent': 'olist-dw-loader',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.options.headers,
          ...headers,
        },
        body: payload,
        signal,
      });
      text = await res.text();
    } catch (e) {
      if (userSignal?.aborted) throw userSignal.reason;
      if (timeout.aborted) {
        throw new AttemptError(new ApiError(`no answer within ${this.timeoutMs} ms (${method} ${path})`, 'timeout', true, undefined, 1, { cause: e }));
      }
      throw new AttemptError(new ApiError(describeNetworkError(e), 'network', true, undefined, 1, { cause: e }));
    }
    const json = parseJson(text);
    if (!res.ok) {
      const message = `HTTP ${res.status}${errorMessage(json, text)}`;
      const error = new ApiError(message, 'http', isTransientStatus(res.status), res.status);
      throw new AttemptError(error, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (json === undefined && text.trim() !== '') {
      throw new AttemptError(new ApiError(`HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, 'protocol', false, res.status));
    }
    return json;
  }
}

class AttemptError extends Error {
  constructor(
    readonly error: ApiError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

const parseJson = (text: string): unknown => {
  try {
    return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
};

/** The server's explanation: the `message` of its error body (docs/errors.md), else the raw text. */
const errorMessage = (json: unknown, text: string): string => {
  const message = errorBodyOf(json)?.message;
  if (message) return `: ${message}`;
  const t = text.trim();
  return t === '' ? '' : `: ${t.slice(0, 300)}`;
};

/** fetch (undici) reports network failures as `TypeError('fetch failed')` with the system error as cause. */
const describeNetworkError = (e: unknown): string => {
  for (const c of [(e as { cause?: unknown })?.cause, e]) {
    if (!c || typeof c !== 'object') continue;
    const { code, message, errors } = c as { code?: unknown; message?: unknown; errors?: unknown };
    // AggregateError (e.g. refused on both ::1 and 127.0.0.1): no message of its own, the inner ones.
    if ((typeof message !== 'string' || message === '') && Array.isArray(errors) && errors.length > 0) {
      return describeNetworkError({ cause: errors[0] });
    }
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string') return text.includes(code) ? text : `${code}${text ? `: ${text}` : ''}`;
    if (text !== '') return text;
  }
  return String(e);
};
