/**
 * The real-data quirks the generator reproduces. Every quirk is on by default and can be switched off
 * independently (`generateDataset({ quirks: { zeroInstallments: false } })`, or `quirks: false` for a
 * "clean" dataset). Rates are per eligible row/order and can be overridden for tests (`quirkRates`).
 *
 * Quirks are not defects: every row stays valid (known references, parseable values, consistent
 * timestamps). Defect injection (invalid rows, quality findings) is separate: see `defects.ts`.
 */
export const QUIRK_NAMES = [
  /** Some fields quoted and others not, like the real exports (ids starting with a digit, zip prefixes, headers). */
  'mixedQuoting',
  /** UTF-8 BOM at the start of product_category_name_translation.csv. */
  'byteOrderMark',
  /** CRLF line endings on the reviews, geolocation and translation files (LF elsewhere), no final newline on most files. */
  'realLineEndings',
  /** Statuses other than `delivered` (shipped, canceled, ...) with the timestamps they never reached left empty. */
  'undeliveredOrders',
  /** Unavailable (and some canceled) orders without any item. */
  'ordersWithoutItems',
  /** Products without category, name/description lengths and photo count. Rate: per product. */
  'uncategorizedProducts',
  /** Zip prefix written without its leading zero. Rate: per geolocation row whose prefix starts with 0 (customers: a tenth of it). */
  'lostLeadingZero',
  /** `payment_installments` 0 on a credit-card payment. Rate: per credit-card payment. */
  'zeroInstallments',
  /** The same review (same review_id) attached to two orders. Rate: per order. */
  'sharedReviewIds',
  /** An order with 2 or 3 reviews (distinct review_ids). Rate: per order. */
  'multipleReviews',
  /** An order without review. Rate: per order. */
  'ordersWithoutReview',
  /** `order_delivered_carrier_date` before `order_approved_at` (the approval was recorded late). Rate: per order with both. */
  'carrierBeforeApproval',
  /** Delivered after `order_estimated_delivery_date`. Rate: per delivered order. */
  'lateDeliveries',
  /** A `delivered` order with an empty `order_delivered_customer_date`. Rate: per delivered order. */
  'deliveredWithoutDate',
  /** Review comments spanning several lines (CRLF inside a quoted field). Rate: per non-empty comment. */
  'multiLineComments',
  /** Review comments containing double quotes. Rate: per non-empty comment. */
  'quotesInComments',
] as const;

export type QuirkName = (typeof QUIRK_NAMES)[number];
export type QuirkToggles = Readonly<Record<QuirkName, boolean>>;
export type QuirkRates = Readonly<Record<QuirkName, number>>;
export type QuirkCounts = Record<QuirkName, number>;

/** Default rates (1 for the format quirks, which apply wherever they can). */
export const DEFAULT_QUIRK_RATES: QuirkRates = {
  mixedQuoting: 1,
  byteOrderMark: 1,
  realLineEndings: 1,
  undeliveredOrders: 1,
  ordersWithoutItems: 1,
  uncategorizedProducts: 0.0185,
  lostLeadingZero: 0.3,
  zeroInstallments: 0.0015,
  sharedReviewIds: 0.004,
  multipleReviews: 0.005,
  ordersWithoutReview: 0.006,
  carrierBeforeApproval: 0.01,
  lateDeliveries: 0.08,
  deliveredWithoutDate: 0.002,
  multiLineComments: 0.09,
  quotesInComments: 0.006,
};

export const ALL_QUIRKS_ON: QuirkToggles = Object.fromEntries(QUIRK_NAMES.map((q) => [q, true])) as QuirkToggles;
export const ALL_QUIRKS_OFF: QuirkToggles = Object.fromEntries(QUIRK_NAMES.map((q) => [q, false])) as QuirkToggles;

export const zeroQuirkCounts = (): QuirkCounts => Object.fromEntries(QUIRK_NAMES.map((q) => [q, 0])) as QuirkCounts;

/** Resolves user options to toggles: `false` → all off, a partial record → defaults (on) overridden. */
export const resolveQuirks = (quirks: boolean | Partial<Record<QuirkName, boolean>> | undefined): QuirkToggles => {
  if (quirks === false) return ALL_QUIRKS_OFF;
  if (quirks === undefined || quirks === true) return ALL_QUIRKS_ON;
  return { ...ALL_QUIRKS_ON, ...quirks };
};

/** The effective rate of a quirk: 0 when switched off. */
export const effectiveRates = (toggles: QuirkToggles, overrides: Partial<QuirkRates> = {}): QuirkRates =>
  Object.fromEntries(
    QUIRK_NAMES.map((q) => [q, toggles[q] ? (overrides[q] ?? DEFAULT_QUIRK_RATES[q]) : 0]),
  ) as QuirkRates;
