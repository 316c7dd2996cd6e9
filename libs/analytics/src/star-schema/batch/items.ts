import { decimalFromCentavos, timestampFromIso } from '@olist/duckdb';
import type { StagedTables } from '../staging.js';
import type { CustomerKnown, OrderChanges, OrderOf } from './orders.js';
import { int, isText, textOrNull, type EventData } from './star-schema-events.js';

interface ItemRow {
  orderId: string;
  orderItemId: number;
  productId: string;
  sellerId: string;
  shippingLimitAt: string | null;
  price: number;
  freight: number;
}

/** The batch's order items for fact_order_items, last event winning per (order, item id). */
export class ItemChanges {
  private readonly rows = new Map<string, ItemRow>();

  constructor(private readonly orders: OrderChanges) {}

  add(item: EventData<'OrderItemAdded' | 'OrderItemCorrected'>): boolean {
    const { orderId, orderItemId } = item;
    if (!isText(orderId) || typeof orderItemId !== 'number') return false;
    this.orders.touch(orderId);
    this.rows.set(`${orderId}\u0000${orderItemId}`, {
      orderId,
      orderItemId,
      productId: textOrNull(item.productId) ?? '',
      sellerId: textOrNull(item.sellerId) ?? '',
      shippingLimitAt: textOrNull(item.shippingLimitAt),
      price: int(item.price),
      freight: int(item.freight),
    });
    return true;
  }

  stage(staged: StagedTables, orderOf: OrderOf, customerKnown: CustomerKnown): void {
    for (const i of this.rows.values()) {
      const order = orderOf(i.orderId);
      staged.append('item', {
        order_id: i.orderId,
        customer_id: order.customerId,
        customer_known: customerKnown(order.customerId),
        purchase_date_key: order.purchaseDateKey,
        order_item_id: i.orderItemId,
        product_id: i.productId,
        seller_id: i.sellerId,
        shipping_limit_at: timestampFromIso(i.shippingLimitAt),
        price: decimalFromCentavos(i.price),
        freight_value: decimalFromCentavos(i.freight),
      });
    }
  }
}
