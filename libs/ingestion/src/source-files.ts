import { ApplicationError } from '@olist/shared-kernel';

/**
 * The nine Olist source files: their logical names (used in URLs and events), CSV file names, headers
 * (as Olist spells them, `lenght` included) and the order the loader posts them in.
 */
export const SOURCE_FILES = [
  {
    name: 'categories',
    fileName: 'product_category_name_translation.csv',
    columns: ['product_category_name', 'product_category_name_english'],
  },
  {
    name: 'sellers',
    fileName: 'olist_sellers_dataset.csv',
    columns: ['seller_id', 'seller_zip_code_prefix', 'seller_city', 'seller_state'],
  },
  {
    name: 'products',
    fileName: 'olist_products_dataset.csv',
    columns: [
      'product_id', 'product_category_name', 'product_name_lenght', 'product_description_lenght',
      'product_photos_qty', 'product_weight_g', 'product_length_cm', 'product_height_cm', 'product_width_cm',
    ],
  },
  {
    name: 'customers',
    fileName: 'olist_customers_dataset.csv',
    columns: ['customer_id', 'customer_unique_id', 'customer_zip_code_prefix', 'customer_city', 'customer_state'],
  },
  {
    name: 'geolocation',
    fileName: 'olist_geolocation_dataset.csv',
    columns: ['geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng', 'geolocation_city', 'geolocation_state'],
  },
  {
    name: 'orders',
    fileName: 'olist_orders_dataset.csv',
    columns: [
      'order_id', 'customer_id', 'order_status', 'order_purchase_timestamp', 'order_approved_at',
      'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_estimated_delivery_date',
    ],
  },
  {
    name: 'order_items',
    fileName: 'olist_order_items_dataset.csv',
    columns: ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'],
  },
  {
    name: 'payments',
    fileName: 'olist_order_payments_dataset.csv',
    columns: ['order_id', 'payment_sequential', 'payment_type', 'payment_installments', 'payment_value'],
  },
  {
    name: 'reviews',
    fileName: 'olist_order_reviews_dataset.csv',
    columns: [
      'review_id', 'order_id', 'review_score', 'review_comment_title', 'review_comment_message',
      'review_creation_date', 'review_answer_timestamp',
    ],
  },
] as const;

export type SourceFile = (typeof SOURCE_FILES)[number];
export type SourceFileName = SourceFile['name'];

export const SOURCE_FILE_NAMES: ReadonlyArray<SourceFileName> = SOURCE_FILES.map((f) => f.name);

export const sourceFile = (name: string): SourceFile | undefined => SOURCE_FILES.find((f) => f.name === name);

/**
 * Other names the columns go by in public copies of the dataset, by the name Olist gave them: some copies fix
 * Olist's spelling of "length". Any name is also matched regardless of case, surrounding blanks, spaces or dashes.
 */
export const COLUMN_ALIASES: Readonly<Record<string, ReadonlyArray<string>>> = {
  product_name_lenght: ['product_name_length'],
  product_description_lenght: ['product_description_length'],
};

const ALIAS_TO_COLUMN = new Map(Object.entries(COLUMN_ALIASES).flatMap(([column, aliases]) => aliases.map((a) => [a, column] as const)));

/** The Olist column a header name stands for (the name itself, normalized, when it is no known alias). */
export const canonicalColumn = (name: string): string => {
  const n = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return ALIAS_TO_COLUMN.get(n) ?? n;
};

/** How a file's header maps onto its columns, in any order. */
export interface HeaderMapping {
  /** Position of each of the file's columns found in the header, by its Olist name. */
  readonly index: ReadonlyMap<string, number>;
  /** The file's columns the header lacks. */
  readonly missing: ReadonlyArray<string>;
  /** Columns the header names more than once (under two spellings, say), with the names: which holds the values is ambiguous. */
  readonly ambiguous: ReadonlyArray<{ readonly column: string; readonly names: ReadonlyArray<string> }>;
  /** Header names that are none of the file's columns (an index column, say): ignored. */
  readonly unused: ReadonlyArray<string>;
}

export const mapHeader = (file: SourceFile, header: ReadonlyArray<string>): HeaderMapping => {
  const columns: ReadonlySet<string> = new Set(file.columns);
  const index = new Map<string, number>();
  const names = new Map<string, string[]>();
  const unused: string[] = [];
  header.forEach((name, i) => {
    const column = canonicalColumn(name);
    if (!columns.has(column)) {
      unused.push(name);
      return;
    }
    if (!index.has(column)) index.set(column, i);
    names.set(column, [...(names.get(column) ?? []), name]);
  });
  const ambiguous = [...names].filter(([, n]) => n.length > 1).map(([column, n]) => ({ column, names: n }));
  return { index, missing: file.columns.filter((c) => !index.has(c)), ambiguous, unused };
};

/** Why rows cannot be read against this header, if they cannot: each problem names the columns. */
export const headerProblems = (mapping: HeaderMapping): string[] => [
  ...(mapping.missing.length === 1 ? [`header: column ${mapping.missing[0]} is missing`] : []),
  ...(mapping.missing.length > 1 ? [`header: columns ${mapping.missing.join(', ')} are missing`] : []),
  ...mapping.ambiguous.map((a) => `header: column ${a.column} appears ${a.names.length} times (${a.names.map((n) => JSON.stringify(n)).join(', ')})`),
];

/** A batch posted for a file that is not one of the nine. */
export class UnknownSourceFileError extends ApplicationError {
  readonly code = 'INGESTION.UNKNOWN_FILE';
  readonly kind = 'not_found';

  constructor(readonly file: string) {
    super(`unknown source file "${file}": expected one of ${SOURCE_FILE_NAMES.join(', ')}`, { file, expected: SOURCE_FILE_NAMES });
  }
}

export { ORDER_STATUSES } from '@olist/sales';
export const PAYMENT_TYPES = ['credit_card', 'boleto', 'voucher', 'debit_card', 'not_defined'] as const;

/** A batch whose header names a column more than once: no row of it can be read, nor kept without doubt. */
export class AmbiguousHeaderError extends ApplicationError {
  readonly code = 'INGESTION.AMBIGUOUS_HEADER';
  readonly kind = 'invalid';

  constructor(readonly file: SourceFile, problems: ReadonlyArray<string>) {
    super(`${file.fileName}: ${problems.join('; ')}: which one holds the values is ambiguous`, { file: file.name, problems });
  }
}
