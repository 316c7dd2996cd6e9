import { decimalFromCentavos } from '@olist/duckdb';
import type { StagedTables } from '../staging.js';
import type { CustomerKnown, OrderChanges, OrderOf } from './orders.js';
import { int, isText, textOrNull, type EventData } from './star-schema-events.js';

interface PaymentRow {
  orderId: string;
  paymentSequential: number;
  paymentType: string;
  installments: number;
  value: number;
}

/** The batch's payments for fact_payments, last event winning per (order, payment sequential). */
export class PaymentChanges {
  private readonly rows = new Map<string, PaymentRow>();

  constructor(private readonly orders: OrderChanges) {}

  add(payment: EventData<'PaymentReceived' | 'PaymentCorrected'>): boolean {
    const { orderId, paymentSequential } = payment;
    if (!isText(orderId) || typeof paymentSequential !== 'number') return false;
    this.orders.touch(orderId);
    this.rows.set(`${orderId}\u0000${paymentSequential}`, {
      orderId,
      paymentSequential,
      paymentType: textOrNull(payment.paymentType) ?? 'unknown',
      installments: int(payment.installments),
      value: int(payment.value),
    });
    return true;
  }

  stage(staged: StagedTables, orderOf: OrderOf, customerKnown: CustomerKnown): void {
    for (const p of this.rows.values()) {
      const order = orderOf(p.orderId);
      staged.append('payment', {
        order_id: p.orderId,
        customer_id: order.customerId,
        customer_known: customerKnown(order.customerId),
        purchase_date_key: order.purchaseDateKey,
        payment_sequential: p.paymentSequential,
        payment_type: p.paymentType,
        installments: p.installments,
        payment_value: decimalFromCentavos(p.value),
      });
    }
  }
}
