import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const RUN = '6a1e1c53-3c43-4d65-9f6a-8d5b8f0e2a11';

describe('bad input gets a 4xx naming the problem, and what was accepted stays', () => {
  let api: EmbeddedApi;
  const post = (path: string, body: unknown) =>
    fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    api = await startEmbeddedApi();
    expect((await post('/v1/pipeline-runs', { runId: RUN, source: 'test' })).status).toBe(201);
  }, 60_000);
  afterAll(() => api?.close());

  const header = ['product_category_name', 'product_category_name_english'];

  it('names the invalid field of a malformed batch', async () => {
    const res = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 0, values: ['a', 'b'] }] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/rows\.0\.line must not be less than 1/);
  });

  it('refuses an unknown file with the list of known ones', async () => {
    const res = await post(`/v1/pipeline-runs/${RUN}/files/invoices/batches`, { header, rows: [{ line: 2, values: ['a', 'b'] }] });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/unknown source file "invoices": expected one of categories, sellers/);
  });

  it('refuses a batch for a run that was never started', async () => {
    const res = await post('/v1/pipeline-runs/0b8f4a55-0000-4000-8000-000000000000/files/categories/batches', { header, rows: [{ line: 2, values: ['a', 'b'] }] });
    expect(res.status).toBe(404);
  });

  it('refuses a malformed run id', async () => {
    expect((await post('/v1/pipeline-runs/not-a-uuid/complete', { files: [] })).status).toBe(400);
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
    expect(body.results[2]!.reasons[0]).toBe('row has 2 values but the header has 7 columns');

    const ok = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 2, values: ['artes', 'art'] }] });
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(1);
    const bad = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 3, values: 'x' }] });
    expect(bad.status).toBe(400);
    const again = await post(`/v1/pipeline-runs/${RUN}/files/categories/batches`, { header, rows: [{ line: 2, values: ['artes', 'art'] }] });
    expect(((await again.json()) as { duplicates: number }).duplicates).toBe(1);
  });
});
