export * from './events.js';
export * from './category/category.js';
export * from './seller/seller.js';
export * from './product/product.js';
