import { DAY, HOUR, MINUTE, formatTimestamp, parseTimestamp } from './time.js';
import type { AnyRowTransformer, TransformerFactory } from './pipeline.js';

/**
 * The row-level quirks, as transformers of good rows. Each draws from its own random stream, so
 * switching one off leaves the others' choices unchanged.
 */
export const quirkTransformers: TransformerFactory = {
  name: 'quirks',
  create({ rng, quirks, rates, count }) {
    const out: AnyRowTransformer[] = [];

    if (quirks.lostLeadingZero) {
      const geoRng = rng.fork('lostLeadingZero/geolocation');
      const customerRng = rng.fork('lostLeadingZero/customers');
      const strip = (zip: string): string => zip.replace(/^0+(?=\d)/, '');
      out.push({
        name: 'lostLeadingZero', file: 'geolocation',
        transform(row) {
          if (!row.geolocation_zip_code_prefix.startsWith('0') || !geoRng.chance(rates.lostLeadingZero)) return row;
          count('lostLeadingZero');
          return { ...row, geolocation_zip_code_prefix: strip(row.geolocation_zip_code_prefix) };
        },
      });
      out.push({
        name: 'lostLeadingZero', file: 'customers',
        transform(row) {
          if (!row.customer_zip_code_prefix.startsWith('0') || !customerRng.chance(rates.lostLeadingZero / 10)) return row;
          count('lostLeadingZero');
          return { ...row, customer_zip_code_prefix: strip(row.customer_zip_code_prefix) };
        },
      });
    }

    if (quirks.zeroInstallments) {
      const r = rng.fork('zeroInstallments');
      out.push({
        name: 'zeroInstallments', file: 'payments',
        transform(row) {
          if (row.payment_type !== 'credit_card' || !r.chance(rates.zeroInstallments)) return row;
          count('zeroInstallments');
          return { ...row, payment_installments: '0' };
        },
      });
    }

    if (quirks.carrierBeforeApproval) {
      const r = rng.fork('carrierBeforeApproval');
      out.push({
        name: 'carrierBeforeApproval', file: 'orders',
        transform(row) {
          if (row.order_approved_at === '' || row.order_delivered_carrier_date === '') return row;
          if (!r.chance(rates.carrierBeforeApproval)) return row;
          // The approval was recorded after the carrier pick-up, still before the delivery (if any).
          const carrier = parseTimestamp(row.order_delivered_carrier_date);
          const delivered = row.order_delivered_customer_date === '' ? Infinity : parseTimestamp(row.order_delivered_customer_date);
          const room = Math.min(2 * DAY, (delivered - carrier) / 2);
          if (!(room > 2 * MINUTE)) return row;
          count('carrierBeforeApproval');
          const approved = carrier + MINUTE + Math.floor(r.next() * Math.min(room, 12 * HOUR));
          return { ...row, order_approved_at: formatTimestamp(approved) };
        },
      });
    }

    if (quirks.deliveredWithoutDate) {
      const r = rng.fork('deliveredWithoutDate');
      out.push({
        name: 'deliveredWithoutDate', file: 'orders',
        transform(row) {
          if (row.order_status !== 'delivered' || row.order_delivered_customer_date === '') return row;
          if (!r.chance(rates.deliveredWithoutDate)) return row;
          count('deliveredWithoutDate');
          return { ...row, order_delivered_customer_date: '' };
        },
      });
    }

    return out;
  },
};
