import type { RecordedEvent } from '@olist/event-store';
import { YearSpan } from './calendar.js';
import { StagedTables } from './staging.js';
import { DimensionChanges } from './batch/dimensions.js';
import { ItemChanges } from './batch/items.js';
import { OrderChanges, type CustomerKnown, type OrderOf, type OrderRef } from './batch/orders.js';
import { PaymentChanges } from './batch/payments.js';
import { ReviewChanges } from './batch/reviews.js';
import { asDomainEvent } from './batch/star-schema-events.js';

export type { OrderRef } from './batch/orders.js';

/**
 * A batch's events grouped by what they change, last event winning per natural key (events arrive in
 * log order). Pure: no I/O.
 */
export class StarSchemaBatch {
  /** The years of the dates that become date keys (purchase, review creation). */
  readonly years = new YearSpan();
  readonly dimensions = new DimensionChanges();
  readonly orders = new OrderChanges(this.years);
  private readonly items = new ItemChanges(this.orders);
  private readonly payments = new PaymentChanges(this.orders);
  private readonly reviews = new ReviewChanges(this.orders, this.years);
  /** Events of types this projection reads. */
  relevant = 0;

  constructor(events: ReadonlyArray<RecordedEvent>) {
    for (const event of events) if (this.add(event)) this.relevant++;
  }

  /** False for an event the star schema does not read, or without its natural key (a projection never throws on data). */
  private add(recorded: RecordedEvent): boolean {
    const event = asDomainEvent(recorded);
    switch (event.type) {
      case 'CategoryRegistered':
      case 'CategoryTranslationCorrected':
        return this.dimensions.category(event.data);
      case 'SellerRegistered':
      case 'SellerDetailsCorrected':
        return this.dimensions.seller(event.data);
      case 'ProductListed':
      case 'ProductDetailsCorrected':
        return this.dimensions.product(event.data);
      case 'CustomerRegistered':
      case 'CustomerAddressCorrected':
        return this.dimensions.customer(event.data);
      case 'PersonalDataErased':
        return this.dimensions.erased(event.data.keyIds);
      case 'ZipCodeLocated':
        return this.dimensions.zipCodeLocated(recorded.streamId, recorded.revision, event.data);
      case 'OrderPlaced':
        return this.orders.placed(event.data, false);
      case 'OrderPlacementCorrected':
        return this.orders.placed(event.data, true);
      case 'OrderApproved':
        return this.orders.approved(event.data);
      case 'OrderInvoiced':
        return this.orders.statusReached(event.data, 'invoiced');
      case 'OrderProcessingStarted':
        return this.orders.statusReached(event.data, 'processing');
      case 'OrderCancelled':
        return this.orders.statusReached(event.data, 'canceled');
      case 'OrderMarkedUnavailable':
        return this.orders.statusReached(event.data, 'unavailable');
      case 'ShipmentDispatched':
        return this.orders.dispatched(event.data);
      case 'DeliveryCompleted':
        return this.orders.delivered(event.data);
      case 'OrderItemAdded':
      case 'OrderItemCorrected':
        return this.items.add(event.data);
      case 'PaymentReceived':
      case 'PaymentCorrected':
        return this.payments.add(event.data);
      case 'ReviewSubmitted':
      case 'ReviewCorrected':
        return this.reviews.submitted(event.data);
      case 'ReviewAnswered':
        return this.reviews.answered(event.data);
      default:
        return false; // operational (PipelineRun*, RowRejected, SourceFileIngested, QualityCheckRecorded) or unknown
    }
  }

  /**
   * Staging rows for every non-empty group. `projectedRevisions` holds, per geo stream, the last
   * revision already projected. `knownOrders` are the orders already in fact_orders (new ones are
   * inserted, known ones merged) with their customer and purchase date, which key their items, payments
   * and reviews without a join; `knownCustomers` the customer ids in dim_customer (a customer key
   * resolves without a join).
   */
  stage(
    projectedRevisions: ReadonlyMap<string, bigint>,
    knownOrders: ReadonlyMap<string, OrderRef>,
    knownCustomers: ReadonlySet<string>,
  ): StagedTables {
    const staged = new StagedTables();
    const customers = this.dimensions.customers;
    const customerKnown: CustomerKnown = (id) => id !== null && (knownCustomers.has(id) || customers.has(id));
    this.dimensions.stage(staged, projectedRevisions);
    this.orders.stage(staged, knownOrders, customerKnown);
    // Children carry their order's customer and purchase date (as committed after this batch).
    const orderOf: OrderOf = (orderId) => this.orders.refOf(orderId, knownOrders);
    this.items.stage(staged, orderOf, customerKnown);
    this.payments.stage(staged, orderOf, customerKnown);
    this.reviews.stage(staged, orderOf, customerKnown);
    return staged;
  }
}
