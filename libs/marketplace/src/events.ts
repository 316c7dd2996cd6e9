import type { Address, DomainEvent } from '@olist/shared-kernel';

/** Stream `category-<product_category_name>`. */
export type CategoryRegistered = DomainEvent<'CategoryRegistered', {
  readonly category: string;
  readonly categoryNameEn: string;
}>;
/** The translation row of a known category changed (SCD 1 downstream). */
export type CategoryTranslationCorrected = DomainEvent<'CategoryTranslationCorrected', {
  readonly category: string;
  readonly categoryNameEn: string;
}>;

export interface SellerData extends Address {
  readonly sellerId: string;
}
/** Stream `seller-<seller_id>`. */
export type SellerRegistered = DomainEvent<'SellerRegistered', SellerData>;
export type SellerDetailsCorrected = DomainEvent<'SellerDetailsCorrected', SellerData>;

export interface ProductData {
  readonly productId: string;
  /** Portuguese category name; null for the products Olist lists without one. */
  readonly category: string | null;
  readonly nameLength: number | null;
  readonly descriptionLength: number | null;
  readonly photosQty: number | null;
  readonly weightG: number | null;
  readonly lengthCm: number | null;
  readonly heightCm: number | null;
  readonly widthCm: number | null;
}
/** Stream `product-<product_id>`. */
export type ProductListed = DomainEvent<'ProductListed', ProductData>;
export type ProductDetailsCorrected = DomainEvent<'ProductDetailsCorrected', ProductData>;

export type MarketplaceEvent =
  | CategoryRegistered
  | CategoryTranslationCorrected
  | SellerRegistered
  | SellerDetailsCorrected
  | ProductListed
  | ProductDetailsCorrected;
