import type { FactTable } from '@olist/analytics';
import { reviewStreamId } from '@olist/customer';
import type { RecordedEvent } from '@olist/event-store';
import { shipmentStreamId } from '@olist/fulfillment';
import { orderStreamId } from '@olist/sales';

type Key = Readonly<Record<string, string>>;
const field = (e: RecordedEvent, name: string): unknown => (e.data as Record<string, unknown>)[name];

/**
 * Which events produced a fact row: the streams of its aggregates and, in them, the events about that row.
 * The star schema applies exactly these (latest wins per natural key), so they are the row's lineage.
 */
export const FACT_EVENTS: Readonly<Record<FactTable, { readonly streams: (key: Key) => string[]; readonly about: (e: RecordedEvent, key: Key) => boolean }>> = {
  'core.fact_orders': {
    streams: (k) => [orderStreamId(k.order_id!), shipmentStreamId(k.order_id!)],
    about: (e) => !['OrderItemAdded', 'OrderItemCorrected', 'PaymentReceived', 'PaymentCorrected'].includes(e.type),
  },
  'core.fact_order_items': {
    streams: (k) => [orderStreamId(k.order_id!)],
    about: (e, k) => (e.type === 'OrderItemAdded' || e.type === 'OrderItemCorrected') && String(field(e, 'orderItemId')) === k.order_item_id,
  },
  'core.fact_payments': {
    streams: (k) => [orderStreamId(k.order_id!)],
    about: (e, k) => (e.type === 'PaymentReceived' || e.type === 'PaymentCorrected') && String(field(e, 'paymentSequential')) === k.payment_sequential,
  },
  'core.fact_reviews': {
    streams: (k) => [reviewStreamId(k.review_id!)],
    about: (e, k) => field(e, 'orderId') === k.order_id,
  },
  'core.fact_deliveries': {
    streams: (k) => [shipmentStreamId(k.order_id!)],
    about: () => true,
  },
};
