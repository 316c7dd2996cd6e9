import { EventStoreUnavailableError, WrongExpectedVersionError, type EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const RUN = '6a1e1c53-3c43-4d65-9f6a-8d5b8f0e2a11';

describe('bad input gets a 4xx naming the problem, and what was accepted stays', () => {
  let api: EmbeddedApi;
  const post = (path: string, body: unknown) =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  /** Status, Retry-After and the `{ code, message, details }` body of an error answer. */
  const errorOf = async (answer: Promise<Response>) => {
    const res = await answer;
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ...((await res.json()) as { code: string; message: string; details: Record<string, unknown> }) };
  };

  beforeAll(async () => {
    api = await startEmbeddedApi();
    expect((await post('/v1/pipeline-runs', { runId: RUN, source: 'test' })).status).toBe(201);
  }, 60_000);
  afterAll(() => api?.close());

  const header = ['product_category_name', 'product_category_name_english'];

  it('names the invalid field of a malformed batch', async () => {
    const error = await errorOf(post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 0, values: ['a', 'b'] }] }));
    expect([error.status, error.code]).toEqual([400, 'REQUEST.INVALID']);
    expect(error.details).toEqual({ errors: ['rows.0.line must not be less than 1'] });
    expect(error.message).toBe('rows.0.line must not be less than 1');
  });

  it('names the first malformed row of a batch and counts the others', async () => {
    const rows = [{ line: 2, values: ['a', 'b'] }, { line: 3, values: ['a', 7] }, { line: 4, values: ['a', 'b'], extra: 1 }, { line: 5.5, values: [] }, 'x'];
    const error = await errorOf(post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows }));
    expect([error.status, error.code]).toEqual([400, 'REQUEST.INVALID']);
    expect(error.message).toBe('rows.1.each value in values must be a string (and 3 more rows)');
    const one = async (row: unknown) => (await errorOf(post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [row] }))).message;
    expect(await one({ line: 4, values: ['a', 'b'], extra: 1 })).toBe('rows.0.property extra should not exist');
    expect(await one({ line: 5.5, values: [] })).toBe('rows.0.line must be an integer number');
    expect(await one({ line: 5, values: 'a,b' })).toBe('rows.0.values must be an array');
    expect(await one('x')).toBe('rows.0 must be an object');
    expect(await one({ line: 5, values: ['a'], defects: [{ position: -1, kind: 'not-utf8' }] })).toBe('rows.0.defects.0.position must be a whole number, 0 or more');
    expect(await one({ line: 5, values: ['a'], defects: [{ position: 0, kind: 'odd' }] })).toBe('rows.0.defects.0.kind must be one of unclosed-quote, not-utf8, too-large');
    expect(await one({ line: 5, values: ['a'], defects: [{ position: 0, kind: 'too-large' }] })).toBe('rows.0.defects.0.bytes must be the value\u2019s size in bytes, for a too-large value only');
    expect(await one({ line: 5, values: ['a'], defects: 'x' })).toBe('rows.0.defects must be an array of at most 1000');
  });

  it('rejects a row the loader found faulty, naming the column, and keeps the rest of the batch', async () => {
    const run = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';
    expect((await post('/v1/pipeline-runs', { runId: run, source: 'test' })).status).toBe(201);
    const res = await post(`/v1/pipeline-runs/${run}/files/categories/batches`, {
      header,
      rows: [
        { line: 20, values: ['cama_mesa_banho', 'bed\ufffd'], defects: [{ position: 1, kind: 'not-utf8' }] },
        { line: 21, values: ['x'.repeat(70_000), 'huge'] },
        { line: 22, values: ['"esporte,sports'], defects: [{ position: 0, kind: 'unclosed-quote' }] },
        { line: 23, values: ['esporte_lazer', 'sports_leisure'] },
      ],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results).toEqual([
      { line: 20, outcome: 'rejected', reasons: ['product_category_name_english: is not valid UTF-8 (the bytes that are not read as U+FFFD)'] },
      { line: 21, outcome: 'rejected', reasons: ['product_category_name: is 70,000 bytes long, over the limit of 65,536'] },
      { line: 22, outcome: 'rejected', reasons: ['product_category_name: its opening quote is never closed on the line, so the line cannot be split into values'] },
      { line: 23, outcome: 'accepted' },
    ]);
  });

  it('refuses an unknown file with the list of known ones', async () => {
    const error = await errorOf(post(`/v1/pipeline-runs/${RUN}/files/invoices/batches`, { header, rows: [{ line: 2, values: ['a', 'b'] }] }));
    expect([error.status, error.code, error.details['file']]).toEqual([404, 'INGESTION.UNKNOWN_FILE', 'invoices']);
    expect(error.message).toMatch(/unknown source file "invoices": expected one of categories, sellers/);
  });

  it('refuses a batch, or the end, of a run that was never started; operators get a 404 for it too', async () => {
    const unknown = '0b8f4a55-0000-4000-8000-000000000000';
    const batch = await errorOf(post(`/v1/pipeline-runs/${unknown}/files/categories/batches`, { header, rows: [{ line: 2, values: ['a', 'b'] }] }));
    expect([batch.status, batch.code, batch.details['runId']]).toEqual([404, 'INGESTION.UNKNOWN_RUN', unknown]);
    const complete = await errorOf(post(`/v1/pipeline-runs/${unknown}/complete`, { files: [] }));
    expect([complete.status, complete.code, complete.message]).toEqual([404, 'INGESTION.UNKNOWN_RUN', `pipeline run ${unknown} was not started: POST /v1/pipeline-runs first`]);
    const view = await errorOf(fetch(`${api.url}/v1/pipeline-runs/${unknown}`, { headers: api.headers }));
    expect([view.status, view.code, view.details]).toEqual([404, 'OPERATIONS.UNKNOWN_RUN', { runId: unknown }]);
    expect((await errorOf(fetch(`${api.url}/v1/quality/reports/${unknown}`, { headers: api.headers }))).code).toBe('OPERATIONS.NO_QUALITY_REPORT');
  });

  it('refuses a malformed run id, malformed JSON, an unknown route and a body over the limit', async () => {
    const runId = await errorOf(post('/v1/pipeline-runs/not-a-uuid/complete', { files: [] }));
    expect([runId.status, runId.code, runId.details]).toEqual([400, 'REQUEST.INVALID', { errors: ['Validation failed (uuid is expected)'] }]);
    expect(await errorOf(post(`/v1/pipeline-runs/${RUN}/complete`, '{"files": ['))).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
    expect(await errorOf(fetch(`${api.url}/v1/nope`, { headers: api.headers }))).toMatchObject({ status: 404, code: 'REQUEST.NOT_FOUND', message: 'Cannot GET /v1/nope' });
    const huge = { header, rows: [{ line: 2, values: ['x'.repeat(33 * 1024 * 1024), 'b'] }] };
    expect(await errorOf(post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, huge))).toMatchObject({ status: 413, code: 'REQUEST.PAYLOAD_TOO_LARGE' });
  });

  it('answers 503 with Retry-After when the event store fails in a way that posting again later cures', async () => {
    const store = api.app.get<EventStore>(EVENT_STORE);
    const run = '3c0d6a2e-5b4f-4e1a-9c8d-7f6e5d4c3b2a';
    const { readStream, appendToStream } = store;
    try {
      store.readStream = () => Promise.reject(new EventStoreUnavailableError('deadline exceeded'));
      expect(await errorOf(post('/v1/pipeline-runs', { runId: run, source: 'x' }))).toEqual({
        status: 503,
        retryAfter: '1',
        code: 'EVENT_STORE.UNAVAILABLE',
        message: 'the event store is unavailable (deadline exceeded); post the batch again (nothing is appended twice)',
        details: {},
      });
      store.readStream = readStream;
      store.appendToStream = (streamId) => Promise.reject(new WrongExpectedVersionError(streamId, 'no_stream', 0n));
      expect(await errorOf(post('/v1/pipeline-runs', { runId: run, source: 'x' }))).toMatchObject({
        status: 503,
        retryAfter: '1',
        code: 'EVENT_STORE.CONCURRENT_WRITERS',
        details: { streamId: `pipeline_run-${run}` },
      });
    } finally {
      Object.assign(store, { readStream, appendToStream });
    }
    expect((await post('/v1/pipeline-runs', { runId: run, source: 'x' })).status).toBe(201);
  });

  it('answers invalid rows one by one with every reason, and keeps the valid ones', async () => {
    const res = await post(`/v1/pipeline-runs/${RUN}/files/order_items/batches`, {
      header: ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'],
      rows: [
        { line: 2, values: ['o-unknown', '1', 'p', 's', '2017-09-19 09:45:35', '58.90', '13.29'] },
        { line: 3, values: ['o', 'one', 'p', 's', 'soon', '-', '1'] },
        { line: 4, values: ['too', 'short'] },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rejected: number; results: Array<{ line: number; reasons: string[] }> };
    expect(body.rejected).toBe(3);
    expect(body.results[0]).toEqual({ line: 2, outcome: 'rejected', reasons: ['unknown order'] });
    expect(body.results[1]!.reasons).toEqual([
      'order_item_id: "one" is not an integer',
      'shipping_limit_date: "soon" is not a timestamp (YYYY-MM-DD HH:MM:SS)',
      'price: "-" is not an amount (e.g. 58.90)',
    ]);
    expect(body.results[2]!.reasons[0]).toBe('row has 2 values but the header has 7 columns: product_id, seller_id, shipping_limit_date, price, freight_value missing');

    // The same bad row on two lines is two rejections, each recorded on the run's stream.
    const twice = await post(`/v1/pipeline-runs/${RUN}/files/order_items/batches`, {
      header: ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'],
      rows: [5, 6].map((line) => ({ line, values: ['o-gone', '1', 'p', 's', '2017-09-19 09:45:35', '1.00', '1.00'] })),
    });
    expect(((await twice.json()) as { rejected: number; eventsAppended: number })).toMatchObject({ rejected: 2, eventsAppended: 2 });
    const rejections = (await api.app.get<EventStore>(EVENT_STORE).readStream(`pipeline_run-${RUN}`)).filter((e) => e.type === 'RowRejected');
    expect(rejections.map((e) => (e.data as { line: number }).line)).toEqual([2, 3, 4, 5, 6]);
    expect(rejections[0]!.data).toMatchObject({ file: 'order_items', reasons: ['unknown order'], raw: { order_id: 'o-unknown', price: '58.90' } });

    const ok = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 2, values: ['artes', 'art'] }] });
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(1);
    const bad = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 3, values: 'x' }] });
    expect(bad.status).toBe(400);
    const again = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 2, values: ['artes', 'art'] }] });
    expect(((await again.json()) as { duplicates: number }).duplicates).toBe(1);
  });

  it('answers a retried request (same Idempotency-Key) as its first attempt, and a new request for the same rows as duplicates', async () => {
    const header = ['product_category_name', 'product_category_name_english'];
    const batch = { header, rows: [{ line: 7, values: ['musica', 'music'] }, { line: 8, values: ['musica', 'music'] }, { line: 9, values: ['x', ''] }] };
    const postWithKey = async (key: string) => {
      const res = await fetch(`${api.url}/v1/pipeline-runs/${RUN}/files/categories/batches`, {
        method: 'POST', headers: { ...api.headers, 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(batch),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const first = await postWithKey('batch-key-0001');
    expect(first).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 1, rejected: 1, eventsAppended: 2 } });
    // The first attempt's answer lost on the way: the retry finds its own events and answers the same.
    expect(await postWithKey('batch-key-0001')).toEqual(first);
    // Another request (another load of the same lines) appends nothing and says so.
    expect(await postWithKey('batch-key-0002')).toMatchObject({ status: 200, body: { accepted: 0, duplicates: 2, rejected: 1, eventsAppended: 0 } });
    const badKey = fetch(`${api.url}/v1/pipeline-runs/${RUN}/files/categories/batches`, {
      method: 'POST', headers: { ...api.headers, 'content-type': 'application/json', 'idempotency-key': 'short' }, body: JSON.stringify(batch),
    });
    expect(await errorOf(badKey)).toMatchObject({ status: 400, code: 'REQUEST.INVALID', message: 'header Idempotency-Key must be 8-64 characters of A-Z a-z 0-9 _ -' });
  });

  it('records a failed run, resumes it when the same run starts again, and completes it once', async () => {
    const run = '1d2f0c4e-8a5b-4c3d-9e7f-6a5b4c3d2e1f';
    expect(((await (await post('/v1/pipeline-runs', { runId: run, source: 'x' })).json()) as { status: string }).status).toBe('started');
    expect(((await (await post(`/v1/pipeline-runs/${run}/fail`, { error: 'interrupted' })).json()) as { status: string }).status).toBe('failed');
    expect(((await (await post('/v1/pipeline-runs', { runId: run, source: 'x' })).json()) as { status: string }).status).toBe('already-started');
    const files = [{ file: 'categories', rowsRead: 1, accepted: 1, duplicates: 0, rejected: 0, eventsAppended: 1 }];
    expect(((await (await post(`/v1/pipeline-runs/${run}/complete`, { files })).json()) as { status: string }).status).toBe('loaded');
    expect(((await (await post(`/v1/pipeline-runs/${run}/complete`, { files })).json()) as { status: string }).status).toBe('already-loaded');
    // The in-process projector checks the loaded run's quality, which ends it.
    const ended = await api.waitForRunOutcome(run);
    expect(ended.quality!.checks.length).toBeGreaterThanOrEqual(25);
    const store = api.app.get<EventStore>(EVENT_STORE);
    const types = (await store.readStream(`pipeline_run-${run}`)).map((e) => e.type);
    expect(types.slice(0, 5)).toEqual(['PipelineRunStarted', 'PipelineRunFailed', 'PipelineRunResumed', 'SourceFileIngested', 'PipelineRunLoaded']);
    expect(new Set(types.slice(5, -1))).toEqual(new Set(['QualityCheckRecorded']));
    expect(types.at(-1)).toBe(ended.status === 'FAILED' ? 'PipelineRunFailed' : 'PipelineRunCompleted');
    expect(types.length - 6).toBe(ended.quality!.checks.length);
  });

  it('takes an item rejected as "unknown order" once its order has arrived', async () => {
    const itemHeader = ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'];
    const item = { line: 2, values: ['late-order', '1', 'p1', 's1', '2017-09-19 09:45:35', '58.90', '13.29'] };
    const first = (await (await post(`/v1/pipeline-runs/${RUN}/files/order_items/batches`, { header: itemHeader, rows: [item] })).json()) as { rejected: number };
    expect(first.rejected).toBe(1);
    const orderHeader = ['order_id', 'customer_id', 'order_status', 'order_purchase_timestamp', 'order_approved_at',
      'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_estimated_delivery_date'];
    const order = { line: 2, values: ['late-order', 'c1', 'created', '2017-09-13 08:59:02', '', '', '', '2017-09-29 00:00:00'] };
    expect(((await (await post(`/v1/pipeline-runs/${RUN}/files/orders/batches`, { header: orderHeader, rows: [order] })).json()) as { accepted: number }).accepted).toBe(1);
    const again = (await (await post(`/v1/pipeline-runs/${RUN}/files/order_items/batches`, { header: itemHeader, rows: [item] })).json()) as { accepted: number };
    expect(again.accepted).toBe(1);
    const events = await api.app.get<EventStore>(EVENT_STORE).readStream('order-late-order');
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderItemAdded']);
  });
  it('rejects the one row whose text PostgreSQL cannot hold (a NUL, an unpaired surrogate) and keeps the rest of the batch', async () => {
    const run = '0c9b8a7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
    expect((await post('/v1/pipeline-runs', { runId: run, source: 'test' })).status).toBe(201);
    const orderHeader = ['order_id', 'customer_id', 'order_status', 'order_purchase_timestamp', 'order_approved_at',
      'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_estimated_delivery_date'];
    const order = { line: 2, values: ['nul-order', 'c1', 'created', '2017-09-13 08:59:02', '', '', '', '2017-09-29 00:00:00'] };
    expect(((await (await post(`/v1/pipeline-runs/${run}/files/orders/batches`, { header: orderHeader, rows: [order] })).json()) as { accepted: number }).accepted).toBe(1);
    const review = (line: number, id: string, title: string, message: string) =>
      ({ line, values: [id, 'nul-order', '5', title, message, '2017-09-20 00:00:00', '2017-09-21 10:00:00'] });
    const res = await post(`/v1/pipeline-runs/${run}/files/reviews/batches`, {
      header: ['review_id', 'order_id', 'review_score', 'review_comment_title', 'review_comment_message', 'review_creation_date', 'review_answer_timestamp'],
      rows: [review(2, 'r-ok', '', 'chegou antes do prazo'), review(3, 'r-nul', '', 'ótimo\u0000produto'), review(4, 'r-half\udc00', '', '')],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: number; results: Array<{ line: number; outcome: string; reasons?: string[] }> };
    expect([body.accepted, body.rejected]).toEqual([1, 2]);
    expect(body.results).toEqual([
      { line: 2, outcome: 'accepted' },
      { line: 3, outcome: 'rejected', reasons: ['review_comment_message: contains a NUL character (U+0000)'] },
      { line: 4, outcome: 'rejected', reasons: ['review_id: contains an unpaired UTF-16 surrogate (not Unicode text)'] },
    ]);
    // The rejected rows are kept for the quarantine, unstorable characters replaced by U+FFFD (review comments sealed as personal data).
    const rejections = (await api.app.get<EventStore>(EVENT_STORE).readStream(`pipeline_run-${run}`)).filter((e) => e.type === 'RowRejected');
    expect(rejections.map((e) => (e.data as { raw: Record<string, string> }).raw)).toEqual([
      expect.objectContaining({ review_id: 'r-nul', review_comment_message: expect.stringMatching(/^pd1\./) }),
      expect.objectContaining({ review_id: 'r-half\ufffd', order_id: 'nul-order' }),
    ]);
  });
  it('maps a header in another order, case or spelling onto the columns, and refuses one naming a column twice', async () => {
    const ok = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, {
      header: ['product_category_name_english', ' PRODUCT_CATEGORY_NAME ', ''],
      rows: [{ line: 2, values: ['cool stuff', 'cool_stuff', '0'] }],
    });
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(1);
    const error = await errorOf(post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, {
      header: ['product_category_name', 'Product Category Name', 'product_category_name_english'],
      rows: [{ line: 2, values: ['a', 'b', 'c'] }],
    }));
    expect([error.status, error.code]).toEqual([400, 'INGESTION.AMBIGUOUS_HEADER']);
    expect(error.message).toBe(
      'product_category_name_translation.csv: header: column product_category_name appears 2 times ("product_category_name", "Product Category Name"): which one holds the values is ambiguous',
    );
  });
});
