import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import { categoryDecider, productDecider, sellerDecider, type ProductData, type SellerData } from '../src/index.js';

describe('Category', () => {
  const spec = deciderSpecification(categoryDecider);
  it('registers', () => spec.given().when({ type: 'RegisterCategory', category: 'artes', categoryNameEn: 'art' })
    .then({ type: 'CategoryRegistered', data: { category: 'artes', categoryNameEn: 'art' } }));
  it('corrects a changed translation', () =>
    spec.given({ type: 'CategoryRegistered', data: { category: 'artes', categoryNameEn: 'art' } })
      .when({ type: 'RegisterCategory', category: 'artes', categoryNameEn: 'arts' })
      .then({ type: 'CategoryTranslationCorrected', data: { category: 'artes', categoryNameEn: 'arts' } }));
  it('does nothing for the same row', () =>
    spec.given({ type: 'CategoryRegistered', data: { category: 'artes', categoryNameEn: 'art' } })
      .when({ type: 'RegisterCategory', category: 'artes', categoryNameEn: 'art' }).thenNothing());
});

describe('Seller', () => {
  const spec = deciderSpecification(sellerDecider);
  const seller: SellerData = { sellerId: 's1', zipPrefix: '13023', city: 'campinas', state: 'SP' };
  it('registers', () => spec.given().when({ type: 'RegisterSeller', ...seller }).then({ type: 'SellerRegistered', data: seller }));
  it('corrects a move (SCD 1 downstream, history in the log)', () =>
    spec.given({ type: 'SellerRegistered', data: seller }).when({ type: 'RegisterSeller', ...seller, zipPrefix: '01037', city: 'sao paulo' })
      .then({ type: 'SellerDetailsCorrected', data: { ...seller, zipPrefix: '01037', city: 'sao paulo' } }));
});

describe('Product', () => {
  const spec = deciderSpecification(productDecider);
  const product: ProductData = { productId: 'p1', category: null, nameLength: null, descriptionLength: null, photosQty: null, weightG: 225, lengthCm: 16, heightCm: 10, widthCm: 14 };
  it('lists a product without category', () => spec.given().when({ type: 'ListProduct', ...product }).then({ type: 'ProductListed', data: product }));
  it('rejects negative dimensions, every one', () =>
    spec.given().when({ type: 'ListProduct', ...product, weightG: -1, widthCm: -3 }).thenRejected(/weightG must not be negative/, /widthCm must not be negative/));
  it('does nothing for the same row', () => spec.given({ type: 'ProductListed', data: product }).when({ type: 'ListProduct', ...product }).thenNothing());
});
