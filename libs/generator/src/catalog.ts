import type { Centavos } from '@olist/shared-kernel';
import { formatZip, type Address, type Geography } from './geography.js';
import { CATEGORIES, type Category } from './reference-data.js';
import { Weighted, type Rng } from './rng.js';
import type { RowOf } from './rows.js';

export interface Seller {
  readonly id: string;
  readonly address: Address;
}

export interface Product {
  readonly id: string;
  /** Undefined for uncategorized products. */
  readonly category: Category | undefined;
  readonly price: Centavos;
  readonly weightG: number;
  readonly seller: number;
}

/**
 * Introduces `total` things (sellers, products) over `draws` picks: each pick is either the next thing
 * not used yet (with the probability that spreads the introductions evenly and guarantees that all are
 * used when draws ≥ total) or an already used one: half the time the thing of a random earlier pick
 * (preferential attachment: the long tail of real marketplaces, a few best-sellers), half the time any
 * used thing uniformly (which keeps the earliest ones from taking over).
 */
export class CoveringPicker {
  private introduced = 0;
  private picks = 0;
  private readonly history: Int32Array;
  /** Introduction order: a random permutation, so popularity does not follow creation order. */
  private readonly order: Int32Array;

  constructor(
    private readonly total: number,
    private readonly draws: number,
    private readonly rng: Rng,
    /** Share of repeat picks made by preferential attachment (the rest are uniform). */
    private readonly preferential = 0.5,
  ) {
    this.history = new Int32Array(Math.max(1, draws));
    this.order = rng.shuffle(Int32Array.from({ length: total }, (_, i) => i));
  }

  get used(): number {
    return this.introduced;
  }

  pick(): number {
    const unused = this.total - this.introduced;
    const remaining = this.draws - this.picks;
    let chosen: number;
    if (unused > 0 && (this.picks === 0 || remaining <= unused || this.rng.chance(unused / remaining))) {
      chosen = this.order[this.introduced++]!;
    } else if (this.picks > 0) {
      chosen = this.rng.chance(this.preferential)
        ? this.history[this.rng.int(0, Math.min(this.picks, this.history.length) - 1)]!
        : this.order[this.rng.int(0, this.introduced - 1)]!;
    } else {
      chosen = 0;
    }
    if (this.picks < this.history.length) this.history[this.picks] = chosen;
    this.picks++;
    return chosen;
  }
}

/** Prices end like real listings: 58.90, 12.99, 199.00, or any cents. */
export const marketPrice = (rng: Rng, reais: number): Centavos => {
  const units = Math.max(0, Math.floor(reais));
  const r = rng.next();
  const cents = r < 0.4 ? 90 : r < 0.65 ? 99 : r < 0.85 ? 0 : rng.int(1, 98);
  return Math.max(85, units * 100 + cents);
};

const categoryTable = new Weighted(CATEGORIES.map((c) => [c, c.weight] as const));

const PHOTOS = new Weighted<number>([
  [1, 50], [2, 19], [3, 11], [4, 8], [5, 4.5], [6, 4], [7, 1.2], [8, 0.8], [9, 0.4], [10, 0.4], [11, 0.1],
  [12, 0.1], [13, 0.05], [15, 0.03], [17, 0.02], [20, 0.01],
]);

const clampInt = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(x)));

export const makeSellers = (count: number, idRng: Rng, rng: Rng, geo: Geography): Seller[] =>
  Array.from({ length: count }, () => ({ id: idRng.hex32(), address: geo.sellerAddress(rng) }));

export const sellerRow = (s: Seller): RowOf<'sellers'> => ({
  seller_id: s.id,
  seller_zip_code_prefix: formatZip(s.address.zip),
  seller_city: s.address.city.name,
  seller_state: s.address.city.state,
});

export interface ProductOptions {
  readonly uncategorizedRate: number;
}

export const makeProducts = (
  count: number,
  sellers: number,
  idRng: Rng,
  rng: Rng,
  options: ProductOptions,
): Product[] => {
  const sellerPicker = new CoveringPicker(sellers, count, rng.fork('sellers'), 0.45);
  const quirkRng = rng.fork('uncategorizedProducts');
  return Array.from({ length: count }, () => {
    const id = idRng.hex32();
    const realCategory = categoryTable.sample(rng);
    const category = quirkRng.chance(options.uncategorizedRate) ? undefined : realCategory;
    const price = marketPrice(rng, Math.min(6700, rng.logNormal(72 * realCategory.priceFactor, 1.0)));
    const weightG = clampInt(rng.logNormal(700, 1.35), 50, 40_425);
    return { id, category, price, weightG: rng.chance(0.6) ? Math.max(50, Math.round(weightG / 50) * 50) : weightG, seller: sellerPicker.pick() };
  });
};

/** The products row; dimensions and lengths are drawn here (they matter to nothing else). */
export const productRow = (p: Product, rng: Rng): RowOf<'products'> => {
  const scale = Math.cbrt(p.weightG / 700);
  const length = clampInt(25 * scale * Math.exp(rng.normal(0, 0.3)), 7, 105);
  const height = clampInt(12 * scale * Math.exp(rng.normal(0, 0.45)), 2, 105);
  const width = clampInt(20 * scale * Math.exp(rng.normal(0, 0.3)), 6, 118);
  const nameLength = clampInt(rng.normal(48, 10), 5, 76);
  const descriptionLength = clampInt(rng.logNormal(600, 0.8), 4, 3992);
  const photos = PHOTOS.sample(rng);
  const known = p.category !== undefined;
  return {
    product_id: p.id,
    product_category_name: p.category?.pt ?? '',
    product_name_lenght: known ? String(nameLength) : '',
    product_description_lenght: known ? String(descriptionLength) : '',
    product_photos_qty: known ? String(photos) : '',
    product_weight_g: String(p.weightG),
    product_length_cm: String(length),
    product_height_cm: String(height),
    product_width_cm: String(width),
  };
};
