import type { LocateZipCode, RegisterCustomer, SubmitReview } from '@olist/customer';
import type { TrackShipment } from '@olist/fulfillment';
import type { ListProduct, RegisterCategory, RegisterSeller } from '@olist/marketplace';
import { ORDER_STATUSES, type AddOrderItem, type PlaceOrder, type ReceivePayment } from '@olist/sales';
import { storableText } from '@olist/shared-kernel';
import { FieldReader } from './field-reader.js';
import { personalColumnsOf } from '@olist/personal-data';
import { CUT_VALUE_CHARACTERS, defectProblem, oversizeBytes, tooLargeProblem } from './record-defects.js';
import { AmbiguousHeaderError, headerProblems, mapHeader, type SourceFile, type SourceFileName } from './source-files.js';
import type { RecordDefect } from './wire.js';

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
  categories: (r) => [{ type: 'RegisterCategory', category: r.identifier('product_category_name'), categoryNameEn: r.text('product_category_name_english') }],
  sellers: (r) => [{ type: 'RegisterSeller', sellerId: r.identifier('seller_id'), zipPrefix: r.zipPrefix('seller_zip_code_prefix'), city: r.text('seller_city'), state: r.uf('seller_state') }],
  products: (r) => [{
    type: 'ListProduct',
    productId: r.identifier('product_id'),
    category: r.optionalIdentifier('product_category_name'),
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
    customerId: r.identifier('customer_id'),
    customerUniqueId: r.identifier('customer_unique_id'),
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
    const orderId = r.identifier('order_id');
    const status = r.oneOf('order_status', ORDER_STATUSES);
    const estimatedDeliveryAt = r.optionalTimestamp('order_estimated_delivery_date');
    return [
      {
        type: 'PlaceOrder',
        orderId,
        customerId: r.identifier('customer_id'),
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
    orderId: r.identifier('order_id'),
    orderItemId: r.integer('order_item_id'),
    productId: r.identifier('product_id'),
    sellerId: r.identifier('seller_id'),
    shippingLimitAt: r.timestamp('shipping_limit_date'),
    price: r.centavos('price'),
    freight: r.centavos('freight_value'),
  }],
  payments: (r) => [{
    type: 'ReceivePayment',
    orderId: r.identifier('order_id'),
    paymentSequential: r.integer('payment_sequential'),
    paymentType: r.text('payment_type'),
    installments: r.integer('payment_installments'),
    value: r.centavos('payment_value'),
  }],
  reviews: (r) => [{
    type: 'SubmitReview',
    reviewId: r.identifier('review_id'),
    orderId: r.identifier('order_id'),
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

  /** The name a row's value at `position` goes by: its file's column, else its header name, else `extra_N` past the header. */
  nameAt(position: number): string {
    return this.columnAt.get(position) ?? (position < this.header.length ? storableText(this.header[position]!) : `extra_${position - this.header.length + 1}`);
  }

  /**
   * A rejected row's values as it is kept (the quarantine, the audit trail): by the file's column names whatever
   * the header's spelling (so personal columns are found and sealed), other header names as they are, values past
   * the header as `extra_N`; text PostgreSQL cannot hold is replaced by U+FFFD, a value over the size limit is cut.
   */
  rawRow(values: ReadonlyArray<string>): Record<string, string> {
    const raw: Record<string, string> = {};
    const kept = (v: string): string => storableText(oversizeBytes(v) === undefined ? v : `${v.slice(0, CUT_VALUE_CHARACTERS)}…`);
    for (let i = 0; i < Math.max(values.length, this.header.length); i++) raw[this.nameAt(i)] = kept(values[i] ?? '');
    return raw;
  }

  /** The row's commands, or every reason it is invalid; `defects`: what the loader found wrong in its text. */
  parse(values: ReadonlyArray<string>, defects: ReadonlyArray<RecordDefect> = []): ParsedRow {
    if (this.headerProblems.length > 0) return { kind: 'invalid', reasons: this.headerProblems };
    const reader = new FieldReader(this.index, values, this.personal);
    for (const d of defects) reader.fail(this.nameAt(d.position), defectProblem(d));
    // Values are not those of the file's columns when a quote left open on the line kept it from being split.
    if (defects.some((d) => d.kind === 'unclosed-quote')) return { kind: 'invalid', reasons: reader.reasons };
    values.forEach((v, i) => {
      const bytes = oversizeBytes(v);
      if (bytes !== undefined) reader.fail(this.nameAt(i), tooLargeProblem(bytes));
    });
    if (values.length !== this.header.length) reader.reasons.push(this.countProblem(values.length));
    const commands = READERS[this.file.name](reader);
    return reader.reasons.length > 0 ? { kind: 'invalid', reasons: reader.reasons } : { kind: 'commands', commands };
  }

  /** A row with another number of values than its header has columns: which are missing, or where the extra ones are. */
  private countProblem(values: number): string {
    const columns = this.header.length;
    const count = `row has ${values} value${values === 1 ? '' : 's'} but the header has ${columns} columns`;
    if (values > columns) return `${count}: ${values - columns} after ${this.nameAt(columns - 1)}`;
    const missing = Array.from({ length: columns - values }, (_, k) => this.nameAt(values + k));
    return `${count}: ${missing.join(', ')} missing`;
  }
}
