import type { SourceFileName } from '@olist/ingestion';
import type { QuirkToggles } from './quirks.js';

/**
 * How a field is quoted. Every policy still quotes a field that needs it (`,`, `"`, CR or LF inside);
 * empty fields are never quoted (as in the real files).
 * - `minimal`: only when needed;
 * - `always`: every non-empty value;
 * - `digitStart`: values starting with a digit (what the real exports do with hex ids: "06b8...",
 *   but b2b6... unquoted).
 */
export type QuotePolicy = 'minimal' | 'always' | 'digitStart';

export interface FileFormat {
  readonly bom: boolean;
  readonly eol: '\n' | '\r\n';
  /** A line ending after the last row (the real files mostly end without one). */
  readonly finalEol: boolean;
  readonly quoteHeader: boolean;
  /** Per-column policy; `minimal` when absent. */
  readonly quoting: Readonly<Record<string, QuotePolicy>>;
}

interface RealFormat {
  readonly bom?: boolean;
  readonly crlf?: boolean;
  readonly finalEol?: boolean;
  readonly quoteHeader: boolean;
  readonly quoting: Readonly<Record<string, QuotePolicy>>;
}

/** The layout of each file as observed in the real exports (see /work/shared/olist-sample). */
const REAL_FORMATS: Readonly<Record<SourceFileName, RealFormat>> = {
  categories: { bom: true, crlf: true, quoteHeader: false, quoting: {} },
  sellers: { quoteHeader: true, quoting: { seller_id: 'digitStart', seller_zip_code_prefix: 'always' } },
  products: { quoteHeader: true, quoting: { product_id: 'digitStart' } },
  customers: {
    quoteHeader: true,
    quoting: { customer_id: 'digitStart', customer_unique_id: 'digitStart', customer_zip_code_prefix: 'always' },
  },
  geolocation: { crlf: true, finalEol: true, quoteHeader: false, quoting: {} },
  orders: { quoteHeader: true, quoting: { order_id: 'digitStart', customer_id: 'digitStart' } },
  order_items: {
    quoteHeader: true,
    quoting: { order_id: 'always', product_id: 'digitStart', seller_id: 'digitStart' },
  },
  payments: { quoteHeader: true, quoting: { order_id: 'digitStart' } },
  reviews: { crlf: true, quoteHeader: true, quoting: { review_id: 'always', order_id: 'always' } },
};

/** The format of a file under the given quirk toggles (plain RFC 4180 with LF when the quirks are off). */
export const fileFormat = (name: SourceFileName, quirks: QuirkToggles): FileFormat => {
  const real = REAL_FORMATS[name];
  return {
    bom: quirks.byteOrderMark && real.bom === true,
    eol: quirks.realLineEndings && real.crlf === true ? '\r\n' : '\n',
    finalEol: quirks.realLineEndings ? real.finalEol === true : true,
    quoteHeader: quirks.mixedQuoting && real.quoteHeader,
    quoting: quirks.mixedQuoting ? real.quoting : {},
  };
};

/** The line break used inside multi-line review comments (follows the reviews file's line endings). */
export const commentLineBreak = (quirks: QuirkToggles): string => (quirks.realLineEndings ? '\r\n' : '\n');
