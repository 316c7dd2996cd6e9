import type { CustomerData, ZipCodeLocated, ZipCodePoint } from '@olist/customer';
import type { ProductData, SellerData } from '@olist/marketplace';
import type { StagedTables } from '../staging.js';
import { intOrNull, isText, textOrNull, type EventData } from './star-schema-events.js';

/** A ZipCodeLocated event kept for the per-stream revision guard. */
interface GeoEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly zipPrefix: string;
  readonly locations: ReadonlyArray<ZipCodePoint>;
}

interface GeoSum {
  zipPrefix: string;
  city: string;
  state: string;
  rows: bigint;
  sumLat: bigint;
  sumLng: bigint;
}

/** Degrees to exact integers (1e-12 degree resolution), so sums do not depend on event order. */
const scaled = (degrees: number): bigint => BigInt(Math.round(degrees * 1e12));

const keepLatest = <T>(members: Map<string, T>, id: unknown, member: T): boolean => {
  if (!isText(id)) return false;
  members.set(id, member);
  return true;
};

/**
 * The batch's reference data (category, seller, product, customer, geography), last event winning per
 * natural key. ZipCodeLocated events are kept aside until the revision guard has run.
 */
export class DimensionChanges {
  readonly categories = new Map<string, string | null>();
  readonly sellers = new Map<string, SellerData>();
  readonly products = new Map<string, ProductData>();
  readonly customers = new Map<string, CustomerData>();
  /** Customer ids whose person was erased: their personal columns become the erased marker. */
  readonly erasedCustomers = new Set<string>();
  private readonly located: GeoEvent[] = [];

  category(data: EventData<'CategoryRegistered' | 'CategoryTranslationCorrected'>): boolean {
    return keepLatest(this.categories, data.category, textOrNull(data.categoryNameEn));
  }

  seller(data: SellerData): boolean {
    return keepLatest(this.sellers, data.sellerId, data);
  }

  product(data: ProductData): boolean {
    return keepLatest(this.products, data.productId, data);
  }

  customer(data: CustomerData): boolean {
    return keepLatest(this.customers, data.customerId, data);
  }

  erased(keyIds: unknown): boolean {
    if (!Array.isArray(keyIds)) return false;
    for (const id of keyIds) if (isText(id)) this.erasedCustomers.add(id);
    return true;
  }

  zipCodeLocated(streamId: string, revision: bigint, { zipPrefix, locations }: ZipCodeLocated['data']): boolean {
    if (!isText(zipPrefix) || !Array.isArray(locations)) return false;
    const points = locations.filter((l) => typeof l.lat === 'number' && typeof l.lng === 'number');
    if (points.length === 0) return false;
    this.located.push({ streamId, revision, zipPrefix, locations: points });
    return true;
  }

  /**
   * `projectedRevisions` holds, per geo stream, the last revision already projected: events at or below
   * it are skipped (they were applied before).
   */
  stage(staged: StagedTables, projectedRevisions: ReadonlyMap<string, bigint>): void {
    for (const [name, en] of this.categories) staged.append('category', { category_name_pt: name, category_name_en: en });
    for (const [id, s] of this.sellers) {
      staged.append('seller', { seller_id: id, zip_prefix: textOrNull(s.zipPrefix), city: textOrNull(s.city), state: textOrNull(s.state) });
    }
    for (const [id, p] of this.products) {
      staged.append('product', {
        product_id: id,
        category_name_pt: textOrNull(p.category),
        name_length: intOrNull(p.nameLength),
        description_length: intOrNull(p.descriptionLength),
        photos_qty: intOrNull(p.photosQty),
        weight_g: intOrNull(p.weightG),
        length_cm: intOrNull(p.lengthCm),
        height_cm: intOrNull(p.heightCm),
        width_cm: intOrNull(p.widthCm),
      });
    }
    for (const [id, c] of this.customers) {
      staged.append('customer', {
        customer_id: id,
        customer_unique_id: textOrNull(c.customerUniqueId) ?? '',
        zip_prefix: textOrNull(c.zipPrefix),
        city: textOrNull(c.city),
        state: textOrNull(c.state),
      });
    }
    if (this.located.length > 0) this.stageGeography(staged, projectedRevisions);
  }

  private stageGeography(staged: StagedTables, projectedRevisions: ReadonlyMap<string, bigint>): void {
    const sums = new Map<string, GeoSum>();
    const progress = new Map<string, bigint>();
    for (const { streamId, revision, zipPrefix, locations } of this.located) {
      const done = progress.get(streamId) ?? projectedRevisions.get(streamId);
      if (done !== undefined && revision <= done) continue; // projected before, or twice in this batch
      progress.set(streamId, revision);
      for (const l of locations) {
        const city = textOrNull(l.city) ?? '';
        const state = textOrNull(l.state) ?? '';
        const key = `${zipPrefix}\u0000${city}\u0000${state}`;
        let sum = sums.get(key);
        if (!sum) sums.set(key, (sum = { zipPrefix, city, state, rows: 0n, sumLat: 0n, sumLng: 0n }));
        sum.rows += 1n;
        sum.sumLat += scaled(l.lat);
        sum.sumLng += scaled(l.lng);
      }
    }
    for (const s of sums.values()) {
      staged.append('geo', {
        zip_prefix: s.zipPrefix,
        city: s.city,
        state: s.state,
        location_rows: s.rows,
        sum_lat_e12: s.sumLat,
        sum_lng_e12: s.sumLng,
      });
    }
    for (const prefix of new Set([...sums.values()].map((s) => s.zipPrefix))) staged.append('geoPrefix', { zip_prefix: prefix });
    for (const [streamId, revision] of progress) staged.append('streamProgress', { stream_id: streamId, revision });
  }
}
