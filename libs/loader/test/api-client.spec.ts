import { ApiClient, ApiError, ApiUnreachableError, isTransientStatus, type RetryEvent } from '../src/api-client.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from '../src/retry.js';
import { closedPort, errorReply, FakeApi, type Reply } from './fake-api.js';

const policy: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 2000, jitter: 0.5 };

describe('backoffDelay', () => {
  it('doubles from the base delay up to the cap', () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(noJitter, r))).toEqual([200, 400, 800, 1600, 2000, 2000]);
  });

  it('randomises the jitter share of each delay', () => {
    expect(backoffDelay(policy, 3, undefined, () => 0)).toBe(400);
    expect(backoffDelay(policy, 3, undefined, () => 0.999999)).toBe(800);
    expect(backoffDelay({ ...policy, jitter: 1 }, 3, undefined, () => 0.25)).toBe(200);
  });

  it('waits at least as long as Retry-After asks, within the cap', () => {
    expect(backoffDelay(policy, 1, 1500, () => 0)).toBe(1500);
    expect(backoffDelay(policy, 1, 60_000, () => 0)).toBe(2000);
  });

  it('parses Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('isTransientStatus', () => {
  it('retries 408, 429 and 5xx, not other 4xx', () => {
    expect([408, 429, 500, 502, 503, 504].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422, 501].some(isTransientStatus)).toBe(false);
  });
});

describe('ApiClient against a test double', () => {
  let api: FakeApi;
  let replies: Array<Reply | 'hang'>;
  const delays: number[] = [];
  const retries: RetryEvent[] = [];
  const client = (over: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}): ApiClient =>
    new ApiClient({
      baseUrl: api.url + '/',
      retry: policy,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onRetry: (e) => retries.push(e),
      ...over,
    });

  beforeEach(async () => {
    replies = [];
    delays.length = 0;
    retries.length = 0;
    api = await new FakeApi({
      intercept: () => {
        const next = replies.shift();
        return next === 'hang' ? new Promise<Reply>(() => undefined) : next;
      },
    }).start();
  });
  afterEach(() => api.close());

  it('retries 503s with growing delays, then succeeds', async () => {
    replies = [
      errorReply(503, 'EVENT_STORE.UNAVAILABLE', 'busy'),
      errorReply(503, 'EVENT_STORE.UNAVAILABLE', 'busy'),
      { status: 502 },
    ];
    await expect(client().startRun('9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f', '/data')).resolves.toEqual({
      runId: '9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f',
      status: 'started',
    });
    expect(api.requests).toHaveLength(4);
    expect(delays).toEqual([150, 300, 600]); // 200·2^n, half of it jittered at 0.5
    expect(retries.map((r) => [r.attempt, r.error.status, r.operation])).toEqual([
      [1, 503, 'start pipeline run'],
      [2, 503, 'start pipeline run'],
      [3, 502, 'start pipeline run'],
    ]);
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/v1/pipeline-runs', body: { runId: '9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f', source: '/data' } });
  });

  it('honours Retry-After on a 429', async () => {
    replies = [{ status: 429, headers: { 'retry-after': '1' } }];
    await client().health();
    expect(delays).toEqual([1000]);
  });

  it('gives up after the configured attempts, reporting the last error', async () => {
    replies = Array.from({ length: 10 }, () => errorReply(503, 'EVENT_STORE.UNAVAILABLE', 'still busy'));
    const err = await client({ retry: { ...policy, attempts: 3 } }).health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).not.toBeInstanceOf(ApiUnreachableError);
    expect(err).toMatchObject({ status: 503, attempts: 3, transient: true });
    expect((err as Error).message).toBe('health check: HTTP 503: still busy (after 3 attempts)');
    expect(api.requests).toHaveLength(3);
  });

  it('does not retry a 400, and surfaces the API\u2019s message', async () => {
    replies = [errorReply(400, 'REQUEST.INVALID', 'header must be an array of strings', { errors: ['header must be an array of strings'] })];
    const err = await client()
      .postBatch('9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f', 'orders', { header: ['a'], rows: [{ line: 2, values: ['x'] }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ApiError', status: 400, attempts: 1, transient: false });
    expect((err as Error).message).toBe('post orders batch: HTTP 400: header must be an array of strings');
    expect(delays).toEqual([]);
    expect(api.requests.map((r) => r.path)).toEqual(['/v1/pipeline-runs/9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f/files/orders/batches']);
  });

  it('shows the raw answer of something that is not the API (no error body)', async () => {
    replies = [{ status: 404, body: 'nothing here' }];
    const err = await client().getRun('9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f').catch((e: unknown) => e);
    expect((err as Error).message).toBe('read pipeline run: HTTP 404: "nothing here"');
  });

  it('retries a request that times out', async () => {
    replies = ['hang'];
    // The answered retry must beat the timeout on a busy CI machine too: 100 ms was once too short.
    await expect(client({ timeoutMs: 1500 }).health()).resolves.toEqual({ status: 'ok' });
    expect(retries.map((r) => r.error.kind)).toEqual(['timeout']);
  });

  it('reports an API that keeps timing out as unreachable', async () => {
    replies = ['hang', 'hang'];
    const err = await client({ timeoutMs: 50, retry: { ...policy, attempts: 2 } }).health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect((err as Error).message).toMatch(/^API unreachable at http:\/\/127\.0\.0\.1:\d+: health check: no answer within 50 ms/);
  });

  it('stops retrying when the caller aborts', async () => {
    const controller = new AbortController();
    replies = [{ status: 503 }, { status: 503 }];
    const c = client({
      signal: controller.signal,
      sleep: async () => {
        controller.abort(new Error('stop'));
      },
    });
    await expect(c.health()).rejects.toThrow('stop');
    expect(api.requests).toHaveLength(1);
  });
});

describe('ApiClient with nobody listening', () => {
  it('retries a refused connection, then reports the API unreachable', async () => {
    const port = await closedPort();
    const delays: number[] = [];
    const c = new ApiClient({
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, jitter: 0 },
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const err = await c.startRun('9b2f6f8e-8c4e-4f3e-9d7e-0a1b2c3d4e5f', '/data').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiUnreachableError);
    expect(err).toMatchObject({ kind: 'network', attempts: 4 });
    expect((err as Error).message).toBe(
      `API unreachable at http://127.0.0.1:${port}: start pipeline run: connect ECONNREFUSED 127.0.0.1:${port} (after 4 attempts)`,
    );
    expect(delays).toEqual([1, 2, 4]);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => new ApiClient({ baseUrl: 'localhost:3000' })).toThrow(/http/);
  });
});
