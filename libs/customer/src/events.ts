import type { Address, DomainEvent, Geolocation, ZipPrefix, Uf } from '@olist/shared-kernel';

export interface CustomerData extends Address {
  /** The person. */
  readonly customerUniqueId: string;
  /** One of the person's per-order customer ids. */
  readonly customerId: string;
}
/** Stream `customer-<customer_unique_id>`: one event per customer_id the person holds. */
export type CustomerRegistered = DomainEvent<'CustomerRegistered', CustomerData>;
export type CustomerAddressCorrected = DomainEvent<'CustomerAddressCorrected', CustomerData>;

export interface ZipCodeLocation extends Geolocation {
  readonly zipPrefix: ZipPrefix;
  readonly city: string;
  readonly state: Uf;
}
/** Stream `zip-<prefix>`: one event per distinct geolocation row of the prefix. */
export type ZipCodeLocated = DomainEvent<'ZipCodeLocated', ZipCodeLocation>;

/** Stream `review-<review_id>` (Olist reuses a review id across orders: one submission per order). */
export type ReviewSubmitted = DomainEvent<'ReviewSubmitted', {
  readonly reviewId: string;
  readonly orderId: string;
  readonly score: number;
  readonly commentTitle: string | null;
  readonly commentMessage: string | null;
  readonly createdAt: string;
}>;
/** The reviews file changed a recorded review (score, comment or creation date): its new values (SCD type 1 downstream). */
export type ReviewCorrected = DomainEvent<'ReviewCorrected', ReviewSubmitted['data']>;
export type ReviewAnswered = DomainEvent<'ReviewAnswered', {
  readonly reviewId: string;
  readonly orderId: string;
  readonly answeredAt: string;
}>;

export type CustomerContextEvent = CustomerRegistered | CustomerAddressCorrected | ZipCodeLocated | ReviewSubmitted | ReviewCorrected | ReviewAnswered;
