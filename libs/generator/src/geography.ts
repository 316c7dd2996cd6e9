import { BRAZIL_BOUNDS } from '@olist/shared-kernel';
import type { Uf } from '@olist/shared-kernel';
import { CITIES, CUSTOMER_STATE_WEIGHTS, SELLER_STATE_WEIGHTS, type City } from './reference-data.js';
import { Weighted, type Rng } from './rng.js';
import type { RowOf } from './rows.js';

export interface Address {
  readonly city: City;
  /** 5-digit CEP prefix as a number (formatted with leading zeros on output). */
  readonly zip: number;
}

/** Brazil's bounding box (lat/lng) — every generated coordinate stays inside it. */
export { BRAZIL_BOUNDS } from '@olist/shared-kernel';

export const formatZip = (zip: number): string => String(zip).padStart(5, '0');

const cityTable = (stateWeights: Readonly<Record<Uf, number>>): Weighted<City> => {
  const perState = new Map<Uf, number>();
  for (const c of CITIES) perState.set(c.state, (perState.get(c.state) ?? 0) + c.weight);
  return new Weighted(CITIES.map((c) => [c, (stateWeights[c.state] * c.weight) / perState.get(c.state)!] as const));
};

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * Picks customer and seller addresses (SP dominant) and remembers every zip prefix used, so the
 * geolocation file covers exactly those prefixes.
 */
export class Geography {
  private readonly customerCities = cityTable(CUSTOMER_STATE_WEIGHTS);
  private readonly sellerCities = cityTable(SELLER_STATE_WEIGHTS);
  /** Zip prefixes used, in first-use order (deterministic), with their city. */
  private readonly used = new Map<number, City>();

  customerAddress(rng: Rng): Address {
    return this.address(this.customerCities.sample(rng), rng);
  }

  sellerAddress(rng: Rng): Address {
    return this.address(this.sellerCities.sample(rng), rng);
  }

  get distinctPrefixes(): number {
    return this.used.size;
  }

  /**
   * ~10 geolocation rows (1..19) per zip prefix used, jittered around a per-prefix point near the city; `total`:
   * exactly that many rows instead, each prefix's count scaled (the Kaggle files have ~10 per order, many more
   * than per prefix used).
   */
  *geolocationRows(rng: Rng, total?: number): Generator<RowOf<'geolocation'>> {
    const b = BRAZIL_BOUNDS;
    const counts = total === undefined ? undefined : scaledCounts([...this.used.keys()].map(() => rng.int(1, 19)), total);
    let k = 0;
    for (const [zip, city] of this.used) {
      const lat0 = city.lat + rng.normal(0, 0.03);
      const lng0 = city.lng + rng.normal(0, 0.03);
      const n = counts ? counts[k++]! : rng.int(1, 19);
      const prefix = formatZip(zip);
      for (let i = 0; i < n; i++) {
        yield {
          geolocation_zip_code_prefix: prefix,
          geolocation_lat: String(clamp(lat0 + rng.normal(0, 0.004), b.minLat, b.maxLat)),
          geolocation_lng: String(clamp(lng0 + rng.normal(0, 0.004), b.minLng, b.maxLng)),
          geolocation_city: city.name,
          geolocation_state: city.state,
        };
      }
    }
  }

  private address(city: City, rng: Rng): Address {
    const zip = rng.int(city.zipFrom, city.zipTo);
    if (!this.used.has(zip)) this.used.set(zip, city);
    return { city, zip };
  }
}

/** `weights` scaled to integers ≥ 1 that sum to `total` (largest remainders first). */
const scaledCounts = (weights: ReadonlyArray<number>, total: number): number[] => {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, w) => a + w, 0);
  const exact = weights.map((w) => Math.max(1, (w * Math.max(total, weights.length)) / sum));
  const counts = exact.map(Math.floor);
  let left = Math.max(total, weights.length) - counts.reduce((a, c) => a + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (let j = 0; left > 0 && order.length > 0; j = (j + 1) % order.length, left--) counts[order[j]![1]]!++;
  for (let j = counts.length - 1; left < 0 && j >= 0; j--) if (counts[j]! > 1) { counts[j]!--; left++; }
  return counts;
};
