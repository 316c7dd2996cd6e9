import { accepted, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { CustomerAddressCorrected, CustomerData, CustomerRegistered } from '../events.js';

export type CustomerEvent = CustomerRegistered | CustomerAddressCorrected;
export interface RegisterCustomer extends CustomerData {
  readonly type: 'RegisterCustomer';
}
/** One person (customer_unique_id) and the per-order customer ids Olist gave them. */
export interface CustomerState {
  readonly customerIds: ReadonlyMap<string, CustomerData>;
}

export const customerStreamId = (customerUniqueId: string): string => streamId('customer', customerUniqueId);

const sameAddress = (a: CustomerData, b: CustomerData): boolean =>
  a.zipPrefix === b.zipPrefix && a.city === b.city && a.state === b.state;

export const customerDecider: Decider<RegisterCustomer, CustomerState, CustomerEvent> = {
  initialState: () => ({ customerIds: new Map() }),
  decide: ({ type: _type, ...customer }, state) => {
    const known = state.customerIds.get(customer.customerId);
    if (!known) return accepted({ type: 'CustomerRegistered', data: customer });
    return sameAddress(known, customer) ? accepted() : accepted({ type: 'CustomerAddressCorrected', data: customer });
  },
  evolve: (state, event) => ({ customerIds: new Map(state.customerIds).set(event.data.customerId, event.data) }),
  occurredAt: undated,
};
