import { accepted, decideUnless, streamId, type Decider, undated } from '@olist/shared-kernel';
import type { ProductData, ProductDetailsCorrected, ProductListed } from '../events.js';

export type ProductEvent = ProductListed | ProductDetailsCorrected;
export interface ListProduct extends ProductData {
  readonly type: 'ListProduct';
}
export type ProductState = { readonly status: 'absent' } | { readonly status: 'listed'; readonly product: ProductData };

export const productStreamId = (productId: string): string => streamId('product', productId);

const MEASURES = ['nameLength', 'descriptionLength', 'photosQty', 'weightG', 'lengthCm', 'heightCm', 'widthCm'] as const;

const sameProduct = (a: ProductData, b: ProductData): boolean =>
  a.category === b.category && MEASURES.every((m) => a[m] === b[m]);

export const productDecider: Decider<ListProduct, ProductState, ProductEvent> = {
  initialState: () => ({ status: 'absent' }),
  decide: ({ type: _type, ...product }, state) =>
    decideUnless<ProductEvent>(
      MEASURES.map((m) => (product[m] ?? 0) < 0 && `${m} must not be negative (got ${product[m]})`),
      () => {
        if (state.status === 'absent') return [{ type: 'ProductListed', data: product }];
        return sameProduct(state.product, product) ? [] : [{ type: 'ProductDetailsCorrected', data: product }];
      },
    ),
  evolve: (_state, event) => ({ status: 'listed', product: event.data }),
  occurredAt: undated,
};
