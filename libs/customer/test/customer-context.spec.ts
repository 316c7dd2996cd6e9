import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import { CUSTOMER_UPCASTERS, customerDecider, locationKey, reviewDecider, zipCodeDecider, type CustomerData, type SubmitReview, type ZipCodeState } from '../src/index.js';

describe('Customer', () => {
  const spec = deciderSpecification(customerDecider);
  const data: CustomerData = { customerUniqueId: 'u1', customerId: 'c1', zipPrefix: '01037', city: 'sao paulo', state: 'SP' };
  it('registers a customer id of a person', () =>
    spec.given().when({ type: 'RegisterCustomer', ...data }).then({ type: 'CustomerRegistered', data }));
  it('registers a second customer id for the same person', () =>
    spec.given({ type: 'CustomerRegistered', data }).when({ type: 'RegisterCustomer', ...data, customerId: 'c2' })
      .then({ type: 'CustomerRegistered', data: { ...data, customerId: 'c2' } }));
  it('does nothing for the same row again', () =>
    spec.given({ type: 'CustomerRegistered', data }).when({ type: 'RegisterCustomer', ...data }).thenNothing());
  it('corrects a changed address', () =>
    spec.given({ type: 'CustomerRegistered', data }).when({ type: 'RegisterCustomer', ...data, city: 'campinas' })
      .then({ type: 'CustomerAddressCorrected', data: { ...data, city: 'campinas' } }));
});

describe('Zip code geolocation', () => {
  const spec = deciderSpecification(zipCodeDecider);
  const point = { lat: -23.5456, lng: -46.6393, city: 'sao paulo', state: 'SP' as const };
  const other = { ...point, lat: -23.5461 };
  const located = (...locations: Array<typeof point>) => ({ type: 'ZipCodeLocated' as const, data: { zipPrefix: '01037', locations } });
  it('locates a new point', () => spec.given().when({ type: 'LocateZipCode', zipPrefix: '01037', ...point }).then(located(point)));
  it('ignores the same point again', () => spec.given(located(point)).when({ type: 'LocateZipCode', zipPrefix: '01037', ...point }).thenNothing());
  it('ignores a point recorded with others in one event', () =>
    spec.given(located(other, point)).when({ type: 'LocateZipCode', zipPrefix: '01037', ...point }).thenNothing());
  it('records the new points of one batch as one event', () => {
    expect(zipCodeDecider.coalesce!(located(point), located(other))).toEqual(located(point, other));
    expect(zipCodeDecider.coalesce!(located(point), { type: 'ZipCodeLocated', data: { zipPrefix: '01038', locations: [other] } })).toBeUndefined();
  });
  it('keeps every earlier state as it was when a state evolves, or when an earlier one evolves another way', () => {
    const [a, b, c] = [located(point), located(other), located({ ...point, lng: -46.7 })];
    const key = (p: typeof point) => locationKey(p);
    const s0 = zipCodeDecider.initialState();
    const s1 = zipCodeDecider.evolve(s0, a);
    const s2 = zipCodeDecider.evolve(s1, b);
    const s2b = zipCodeDecider.evolve(s1, c);
    const seen = (s: ZipCodeState) => [point, other, c.data.locations[0]!].map((p) => s.locations.has(key(p)));
    expect([seen(s0), seen(s1), seen(s2), seen(s2b)]).toEqual([[false, false, false], [true, false, false], [true, true, false], [true, false, true]]);
    expect(seen(zipCodeDecider.evolve(s2, located(point, point, other)))).toEqual([true, true, false]);
    expect(zipCodeDecider.evolve(s2, located(point, point, other)).locations.size).toBe(2);
  });
  it('reads a version 1 event (one point) as one with a list of points', () => {
    const upcaster = CUSTOMER_UPCASTERS.find((u) => u.type === 'ZipCodeLocated' && u.fromVersion === 1)!;
    expect(upcaster.upcast({ zipPrefix: '01037', ...point })).toEqual(located(point).data);
  });
});

describe('Review', () => {
  const spec = deciderSpecification(reviewDecider);
  const submit = (over: Partial<SubmitReview> = {}): SubmitReview => ({
    type: 'SubmitReview', reviewId: 'r1', orderId: 'o1', orderKnown: true, score: 4, commentTitle: null, commentMessage: 'ok, "bom"\nchegou',
    createdAt: '2018-01-18T00:00:00.000Z', answeredAt: '2018-01-18T21:46:59.000Z', ...over,
  });
  const submitted = { type: 'ReviewSubmitted' as const, data: { reviewId: 'r1', orderId: 'o1', score: 4, commentTitle: null, commentMessage: 'ok, "bom"\nchegou', createdAt: '2018-01-18T00:00:00.000Z' } };
  const answered = { type: 'ReviewAnswered' as const, data: { reviewId: 'r1', orderId: 'o1', answeredAt: '2018-01-18T21:46:59.000Z' } };
  it('submits and answers', () => spec.given().when(submit()).then(submitted, answered));
  it('rejects a review of an unknown order', () => spec.given().when(submit({ orderKnown: false })).thenRejected('unknown order'));
  it('rejects a score outside 1..5 and an answer before creation, both', () =>
    spec.given().when(submit({ score: 6, answeredAt: '2018-01-17T00:00:00.000Z' })).thenRejected(/review_score must be an integer 1..5/, /before review_creation_date/));
  it('takes the same review id on another order (Olist reuses ids)', () =>
    spec.given(submitted, answered).when(submit({ orderId: 'o2', answeredAt: null }))
      .then({ ...submitted, data: { ...submitted.data, orderId: 'o2' } }));
  it('does nothing for the same row again', () => spec.given(submitted, answered).when(submit()).thenNothing());
  it('corrects a review re-posted with another score or comment', () =>
    spec.given(submitted, answered).when(submit({ score: 2, commentMessage: 'atrasou' }))
      .then({ type: 'ReviewCorrected', data: { ...submitted.data, score: 2, commentMessage: 'atrasou' } }));
  it('records a late answer of a recorded review', () =>
    spec.given(submitted).when(submit()).then(answered));
  it('rejects a correction with a score outside 1..5', () =>
    spec.given(submitted, answered).when(submit({ score: 0 })).thenRejected(/review_score must be an integer 1..5/));
});
