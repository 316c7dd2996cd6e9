import { accepted, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { SellerData, SellerDetailsCorrected, SellerRegistered } from '../events.js';

export type SellerEvent = SellerRegistered | SellerDetailsCorrected;
export interface RegisterSeller extends SellerData {
  readonly type: 'RegisterSeller';
}
export type SellerState = { readonly status: 'absent' } | { readonly status: 'registered'; readonly seller: SellerData };

export const sellerStreamId = (sellerId: string): string => streamId('seller', sellerId);

const sameSeller = (a: SellerData, b: SellerData): boolean =>
  a.zipPrefix === b.zipPrefix && a.city === b.city && a.state === b.state;

export const sellerDecider: Decider<RegisterSeller, SellerState, SellerEvent> = {
  initialState: () => ({ status: 'absent' }),
  decide: ({ type: _type, ...seller }, state) => {
    if (state.status === 'absent') return accepted({ type: 'SellerRegistered', data: seller });
    if (sameSeller(state.seller, seller)) return accepted();
    return accepted({ type: 'SellerDetailsCorrected', data: seller });
  },
  evolve: (_state, event) => ({ status: 'registered', seller: event.data }),
  occurredAt: undated,
};
