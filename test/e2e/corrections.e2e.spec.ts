import type { EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const RUN = '5b0a7e3c-1d2e-4f5a-8b6c-7d8e9f0a1b2c';
const ORDER_HEADER = ['order_id', 'customer_id', 'order_status', 'order_purchase_timestamp', 'order_approved_at',
  'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_estimated_delivery_date'];
const ITEM_HEADER = ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'];
const PAYMENT_HEADER = ['order_id', 'payment_sequential', 'payment_type', 'payment_installments', 'payment_value'];

/**
 * A changed source row for an existing aggregate is a correction (SCD type 1 in the star schema); the same
 * row again is nothing; a row corrected back and forth is corrected every time.
 */
describe('end to end: corrections', () => {
  let api: EmbeddedApi;
  const post = async (file: string, header: string[], values: string[]) => {
    const res = await fetch(`${api.url}/v1/pipeline-runs/${RUN}/files/${file}/batches`, {
      method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify({ header, rows: [{ line: 2, values }] }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { results: Array<{ outcome: string; reasons?: string[] }> }).results[0]!;
  };
  const fact = async () => {
    await api.waitForProjector();
    const db = await api.duckdb();
    try {
      return (await db.query<{ price: string; items_value: string; payment_value: string; installments: number; customer_id: string; estimated: string }>(`
        SELECT i.price::VARCHAR AS price, o.items_value::VARCHAR AS items_value, o.payment_value::VARCHAR AS payment_value,
               p.installments, o.customer_id, o.estimated_delivery_at::VARCHAR AS estimated
        FROM core.fact_orders o JOIN core.fact_order_items i USING (order_id) JOIN core.fact_payments p USING (order_id)
        WHERE o.order_id = 'ord-1'`))[0]!;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    api = await startEmbeddedApi();
    await fetch(`${api.url}/v1/pipeline-runs`, { method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify({ runId: RUN, source: 'test' }) });
    await post('orders', ORDER_HEADER, ['ord-1', 'cus-1', 'delivered', '2018-01-02 10:00:00', '2018-01-02 11:00:00', '2018-01-03 09:00:00', '2018-01-08 12:00:00', '2018-01-20 00:00:00']);
    await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '58.90', '13.29']);
    await post('payments', PAYMENT_HEADER, ['ord-1', '1', 'credit_card', '1', '72.19']);
  }, 60_000);
  afterAll(() => api?.close());

  it('corrects an item, a payment and an order placement in the facts, totals included', async () => {
    expect(await fact()).toEqual({ price: '58.90', items_value: '58.90', payment_value: '72.19', installments: 1, customer_id: 'cus-1', estimated: '2018-01-20 00:00:00' });
    expect(await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '60.00', '13.29'])).toEqual({ line: 2, outcome: 'accepted' });
    expect(await post('payments', PAYMENT_HEADER, ['ord-1', '1', 'credit_card', '3', '73.29'])).toEqual({ line: 2, outcome: 'accepted' });
    expect(await post('orders', ORDER_HEADER, ['ord-1', 'cus-2', 'delivered', '2018-01-02 10:00:00', '2018-01-02 11:00:00', '2018-01-03 09:00:00', '2018-01-08 12:00:00', '2018-01-22 00:00:00']))
      .toEqual({ line: 2, outcome: 'accepted' });
    expect(await fact()).toEqual({ price: '60.00', items_value: '60.00', payment_value: '73.29', installments: 3, customer_id: 'cus-2', estimated: '2018-01-22 00:00:00' });
  });

  it('does nothing for the corrected row posted again, and corrects back and forth', async () => {
    expect(await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '60.00', '13.29'])).toEqual({ line: 2, outcome: 'duplicate' });
    expect(await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '58.90', '13.29'])).toEqual({ line: 2, outcome: 'accepted' });
    expect((await fact()).price).toBe('58.90');
    expect(await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '60.00', '13.29'])).toEqual({ line: 2, outcome: 'accepted' });
    expect((await fact()).price).toBe('60.00');
    const types = (await api.app.get<EventStore>(EVENT_STORE).readStream('order-ord-1')).map((e) => e.type);
    expect(types.filter((t) => t.endsWith('Corrected'))).toEqual([
      'OrderItemCorrected', 'PaymentCorrected', 'OrderPlacementCorrected', 'OrderItemCorrected', 'OrderItemCorrected',
    ]);
  });

  it('corrects a review', async () => {
    const header = ['review_id', 'order_id', 'review_score', 'review_comment_title', 'review_comment_message', 'review_creation_date', 'review_answer_timestamp'];
    await post('reviews', header, ['rev-1', 'ord-1', '5', '', 'otimo', '2018-01-09 00:00:00', '2018-01-10 10:00:00']);
    expect(await post('reviews', header, ['rev-1', 'ord-1', '2', '', 'atrasou', '2018-01-09 00:00:00', '2018-01-10 10:00:00'])).toEqual({ line: 2, outcome: 'accepted' });
    await api.waitForProjector();
    const db = await api.duckdb();
    try {
      expect(await db.query("SELECT score, has_comment FROM core.fact_reviews WHERE review_id = 'rev-1'")).toEqual([{ score: 2, has_comment: true }]);
    } finally {
      db.close();
    }
  });

  it('rejects a correction that breaks an invariant, and keeps the recorded values', async () => {
    expect(await post('order_items', ITEM_HEADER, ['ord-1', '1', 'p1', 's1', '2018-01-05 00:00:00', '-1.00', '13.29']))
      .toEqual({ line: 2, outcome: 'rejected', reasons: [expect.stringMatching(/price must not be negative/)] });
    expect((await fact()).price).toBe('60.00');
  });

  it('refuses to take a canceled order any further', async () => {
    await post('orders', ORDER_HEADER, ['ord-2', 'cus-1', 'canceled', '2018-02-02 10:00:00', '', '', '', '2018-02-20 00:00:00']);
    expect(await post('orders', ORDER_HEADER, ['ord-2', 'cus-1', 'delivered', '2018-02-02 10:00:00', '2018-02-02 11:00:00', '2018-02-03 09:00:00', '2018-02-08 12:00:00', '2018-02-20 00:00:00']))
      .toEqual({ line: 2, outcome: 'rejected', reasons: ['order ord-2 is canceled: it cannot become delivered'] });
  });
});
