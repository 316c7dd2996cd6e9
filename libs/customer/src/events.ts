import type { Address, DomainEvent, EventUpcaster, Geolocation, ZipPrefix, Uf } from '@olist/shared-kernel';

export interface CustomerData extends Address {
  /** The person. */
  readonly customerUniqueId: string;
  /** One of the person's per-order customer ids. */
  readonly customerId: string;
}
/** Stream `customer-<customer_unique_id>`: one event per customer_id the person holds. */
export type CustomerRegistered = DomainEvent<'CustomerRegistered', CustomerData>;
export type CustomerAddressCorrected = DomainEvent<'CustomerAddressCorrected', CustomerData>;

/** One point of a zip prefix, as a geolocation row gives it. */
export interface ZipCodePoint extends Geolocation {
  readonly city: string;
  readonly state: Uf;
}
export interface ZipCodeLocation extends ZipCodePoint {
  readonly zipPrefix: ZipPrefix;
}
/**
 * Stream `zip-<prefix>`: the prefix's new points of one batch (v2; v1 held one point, `{ zipPrefix, lat, lng,
 * city, state }`). Each point's source line is in the provenance's `lines`, in the same order.
 */
export type ZipCodeLocated = DomainEvent<'ZipCodeLocated', {
  readonly zipPrefix: ZipPrefix;
  readonly locations: ReadonlyArray<ZipCodePoint>;
}>;

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

/** The customer context's event upcasters (chained by the event catalog's schema registry). */
export const CUSTOMER_UPCASTERS: ReadonlyArray<EventUpcaster> = [
  {
    type: 'ZipCodeLocated',
    fromVersion: 1,
    upcast: (data) => {
      const { zipPrefix, lat, lng, city, state } = data as ZipCodeLocation;
      return { zipPrefix, locations: [{ lat, lng, city, state }] };
    },
  },
];
