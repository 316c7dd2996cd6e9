import type { LocateZipCode, RegisterCustomer, SubmitReview } from '@olist/customer';
import type { TrackShipment } from '@olist/fulfillment';
import type { ListProduct, RegisterCategory, RegisterSeller } from '@olist/marketplace';
import { ORDER_STATUSES, type AddOrderItem, type PlaceOrder, type ReceivePayment } from '@olist/sales';
import { storableText } from '@olist/shared-kernel';
import { FieldReader } from './field-reader.js';
import { personalColumnsOf } from '@olist/personal-data';
import { AmbiguousHeaderError, headerProblems, mapHeader, type SourceFile, type SourceFileName } from './source-files.js';

/** A review as read from its row; whether its order exists is resolved by the command handler. */
export type SubmitReviewRow = Omit<SubmitReview, 'orderKnown'>;

export type RowCommand =
  | RegisterCategory
  | RegisterSeller
  | ListProduct
  | RegisterCustomer
  | LocateZipCode
  | PlaceOrder
  | TrackShipment
  | AddOrderItem
  | ReceivePayment
  | SubmitReviewRow;

export type ParsedRow =
  | { readonly kind: 'commands'; readonly commands: ReadonlyArray<RowCommand> }
  | { readonly kind: 'invalid'; readonly reasons: ReadonlyArray<string> };

type RowReader = (r: FieldReader) => RowCommand[];

const READERS: Record<SourceFileName, RowReader> = {
  categories: (r) => [{ type: 'RegisterCategory', category: r.text('product_category_name'), categoryNameEn: r.text('product_category_name_english') }],
  sellers: (r) => [{ type: 'RegisterSeller', sellerId: r.text('seller_id'), zipPrefix: r.zipPrefix('seller_zip_code_prefix'), city: r.text('seller_city'), state: r.uf('seller_state') }],
  products: (r) => [{
    type: 'ListProduct',
    productId: r.text('product_id'),
    category: r.optionalText('product_category_name')?.trim() ?? null,
    nameLength: r.optionalNumber('product_name_lenght'),
    descriptionLength: r.optionalNumber('product_description_lenght'),
    photosQty: r.optionalNumber('product_photos_qty'),
    weightG: r.optionalNumber('product_weight_g'),
    lengthCm: r.optionalNumber('product_length_cm'),
    heightCm: r.optionalNumber('product_height_cm'),
    widthCm: r.optionalNumber('product_width_cm'),
  }],
  customers: (r) => [{
    type: 'RegisterCustomer',
    customerId: r.text('customer_id'),
    customerUniqueId: r.text('customer_unique_id'),
    zipPrefix: r.zipPrefix('customer_zip_code_prefix'),
    city: r.text('customer_city'),
    state: r.uf('customer_state'),
  }],
  geolocation: (r) => [{
    type: 'LocateZipCode',
    zipPrefix: r.zipPrefix('geolocation_zip_code_prefix'),
    ...r.geolocation('geolocation_lat', 'geolocation_lng'),
    city: r.text('geolocation_city'),
    state: r.uf('geolocation_state'),
  }],
  orders: (r) => {
    const orderId = r.text('order_id');
    const status = r.oneOf('order_status', ORDER_STATUSES);
    const estimatedDeliveryAt = r.optionalTimestamp('order_estimated_delivery_date');
    return [
      {
        type: 'PlaceOrder',
        orderId,
        customerId: r.text('customer_id'),
        status,
        purchasedAt: r.timestamp('order_purchase_timestamp'),
        approvedAt: r.optionalTimestamp('order_approved_at'),
        estimatedDeliveryAt,
      },
      {
        type: 'TrackShipment',
        orderId,
        orderStatus: status,
        dispatchedAt: r.optionalTimestamp('order_delivered_carrier_date'),
        deliveredAt: r.optionalTimestamp('order_delivered_customer_date'),
        estimatedDeliveryAt,
      },
    ];
  },
  order_items: (r) => [{
    type: 'AddOrderItem',
    orderId: r.text('order_id'),
    orderItemId: r.integer('order_item_id'),
    productId: r.text('product_id'),
    sellerId: r.text('seller_id'),
    shippingLimitAt: r.timestamp('shipping_limit_date'),
    price: r.centavos('price'),
    freight: r.centavos('freight_value'),
  }],
  payments: (r) => [{
    type: 'ReceivePayment',
    orderId: r.text('order_id'),
    paymentSequential: r.integer('payment_sequential'),
    paymentType: r.text('payment_type'),
    installments: r.integer('payment_installments'),
    value: r.centavos('payment_value'),
  }],
  reviews: (r) => [{
    type: 'SubmitReview',
    reviewId: r.text('review_id'),
    orderId: r.text('order_id'),
    score: r.integer('review_score'),
    commentTitle: r.optionalText('review_comment_title'),
    commentMessage: r.optionalText('review_comment_message'),
    createdAt: r.timestamp('review_creation_date'),
    answeredAt: r.optionalTimestamp('review_answer_timestamp'),
  }],
};

/** Parses the rows of one source file against the header the file was read with. */
export class RowParser {
  private readonly index: ReadonlyMap<string, number>;
  private readonly headerProblems: ReadonlyArray<string>;
  private readonly personal: ReadonlySet<string>;
  private readonly columnAt: ReadonlyMap<number, string>;

  constructor(private readonly file: SourceFile, private readonly header: ReadonlyArray<string>) {
    const mapping = mapHeader(file, header);
    if (mapping.ambiguous.length > 0) throw new AmbiguousHeaderError(file, headerProblems({ ...mapping, missing: [] }));
    this.index = mapping.index;
    this.columnAt = new Map([...mapping.index].map(([column, i]) => [i, column]));
    this.personal = new Set(personalColumnsOf(file)?.columns ?? []);
    this.headerProblems = headerProblems(mapping);
  }

  /** Where the file's column (by its Olist name) is in the rows, whatever the header's spelling and order; -1 if absent. */
  positionOf(column: string): number {
    return this.index.get(column) ?? -1;
  }

  /**
   * A rejected row's values as it is kept (the quarantine, the audit trail): by the file's column names whatever
   * the header's spelling (so personal columns are found and sealed), other header names as they are, values past
   * the header as `extra_N`; text PostgreSQL cannot hold is replaced by U+FFFD.
   */
  rawRow(values: ReadonlyArray<string>): Record<string, string> {
    const raw: Record<string, string> = {};
    this.header.forEach((name, i) => (raw[this.columnAt.get(i) ?? storableText(name)] = storableText(values[i] ?? '')));
    values.slice(this.header.length).forEach((v, i) => (raw[`extra_${i + 1}`] = storableText(v)));
    return raw;
  }

  parse(values: ReadonlyArray<string>): ParsedRow {
    if (this.headerProblems.length > 0) return { kind: 'invalid', reasons: this.headerProblems };
    const reader = new FieldReader(this.index, values, this.personal);
    if (values.length !== this.header.length) {
      reader.reasons.push(`row has ${values.length} values but the header has ${this.header.length} columns`);
    }
    const commands = READERS[this.file.name](reader);
    return reader.reasons.length > 0 ? { kind: 'invalid', reasons: reader.reasons } : { kind: 'commands', commands };
  }
}
