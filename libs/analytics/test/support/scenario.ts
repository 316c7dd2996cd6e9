import { EventLog } from './events.js';

/** Olist-shaped location rows per prefix (two spellings of São Paulo, a tie in 13023). */
export const LOCATIONS = {
  '01046': [
    { lat: -23.54608112703553, lng: -46.64482029837157, city: 'sao paulo', state: 'SP' },
    { lat: -23.546, lng: -46.644, city: 'sao paulo', state: 'SP' },
    { lat: -23.545, lng: -46.643, city: 'são paulo', state: 'SP' },
  ],
  '13023': [
    { lat: -22.9, lng: -47.06, city: 'campinas', state: 'SP' },
    { lat: -22.92, lng: -47.08, city: 'barao geraldo', state: 'SP' },
  ],
  '22790': [{ lat: -23.0, lng: -43.4, city: 'rio de janeiro', state: 'RJ' }],
} as const;

const product = (productId: string, category: string | null, dims: Array<number | null>) => {
  const [nameLength, descriptionLength, photosQty, weightG, lengthCm, heightCm, widthCm] = dims;
  return { productId, category, nameLength, descriptionLength, photosQty, weightG, lengthCm, heightCm, widthCm };
};

export const item = (orderId: string, orderItemId: number, productId: string, sellerId: string, shippingLimitAt: string, price: number, freight: number) => ({
  orderId,
  orderItemId,
  productId,
  sellerId,
  shippingLimitAt,
  price,
  freight,
});

/**
 * A small Olist history in loader order: reference data, geolocation, orders with their lifecycle,
 * shipments, items (one for a product listed only later), payments, reviews (a review id reused across
 * two orders), corrections, and operational events the star schema ignores.
 */
export const olistScenario = (): EventLog => {
  const log = new EventLog();
  log.add('pipeline_run-r1', 'PipelineRunStarted', { runId: 'r1', source: 'test', startedAt: '2024-01-01T00:00:00.000Z' });

  log.add('category-perfumaria', 'CategoryRegistered', { category: 'perfumaria', categoryNameEn: 'perfumery' });
  log.add('category-bebes', 'CategoryRegistered', { category: 'bebes', categoryNameEn: 'baby' });
  log.add('seller-s1', 'SellerRegistered', { sellerId: 's1', zipPrefix: '13023', city: 'campinas', state: 'SP' });
  log.add('seller-s2', 'SellerRegistered', { sellerId: 's2', zipPrefix: '01046', city: 'sao paulo', state: 'SP' });
  log.add('product-p1', 'ProductListed', product('p1', 'perfumaria', [40, 287, 1, 225, 16, 10, 14]));
  log.add('product-p2', 'ProductListed', product('p2', null, [null, null, null, 300, 20, 10, 15]));
  log.add('product-p3', 'ProductListed', product('p3', 'bebes', [27, 261, 1, 371, 26, 4, 26]));
  log.add('customer-u1', 'CustomerRegistered', { customerUniqueId: 'u1', customerId: 'c1', zipPrefix: '01046', city: 'sao paulo', state: 'SP' });
  log.add('customer-u1', 'CustomerRegistered', { customerUniqueId: 'u1', customerId: 'c2', zipPrefix: '22790', city: 'rio de janeiro', state: 'RJ' });
  log.add('customer-u2', 'CustomerRegistered', { customerUniqueId: 'u2', customerId: 'c3', zipPrefix: '99999', city: 'nowhere', state: 'AM' });
  for (const [zipPrefix, rows] of Object.entries(LOCATIONS)) {
    // One event per point, as a prefix's points posted in several batches are.
    for (const row of rows) log.add(`zip-${zipPrefix}`, 'ZipCodeLocated', { zipPrefix, locations: [row] });
  }
  log.add('pipeline_run-r1', 'SourceFileIngested', { runId: 'r1', file: 'x.csv', rowsRead: 1, accepted: 1, duplicates: 0, rejected: 0, eventsAppended: 1 });

  // o1: delivered early. o2: canceled. o3: delivered late, across the new year. o4: shipped without a
  // carrier date. o5: unavailable, no items.
  log.add('order-o1', 'OrderPlaced', { orderId: 'o1', customerId: 'c1', purchasedAt: '2017-10-02T10:56:33.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z' });
  log.add('order-o1', 'OrderApproved', { orderId: 'o1', approvedAt: '2017-10-02T11:07:15.000Z' });
  log.add('order-o1', 'OrderInvoiced', { orderId: 'o1' });
  log.add('order-o1', 'OrderProcessingStarted', { orderId: 'o1' });
  log.add('order-o2', 'OrderPlaced', { orderId: 'o2', customerId: 'c2', purchasedAt: '2018-02-13T21:18:39.000Z', estimatedDeliveryAt: '2018-03-05T00:00:00.000Z' });
  log.add('order-o2', 'OrderApproved', { orderId: 'o2', approvedAt: '2018-02-13T22:20:29.000Z' });
  log.add('order-o2', 'OrderCancelled', { orderId: 'o2' });
  log.add('order-o3', 'OrderPlaced', { orderId: 'o3', customerId: 'c3', purchasedAt: '2017-12-31T23:30:00.000Z', estimatedDeliveryAt: '2018-01-15T00:00:00.000Z' });
  log.add('order-o3', 'OrderApproved', { orderId: 'o3', approvedAt: '2018-01-01T00:10:00.000Z' });
  log.add('order-o3', 'OrderInvoiced', { orderId: 'o3' });
  log.add('order-o4', 'OrderPlaced', { orderId: 'o4', customerId: 'c1', purchasedAt: '2018-08-01T09:00:00.000Z', estimatedDeliveryAt: '2018-08-20T00:00:00.000Z' });
  log.add('order-o4', 'OrderApproved', { orderId: 'o4', approvedAt: '2018-08-01T09:30:00.000Z' });
  log.add('order-o4', 'OrderInvoiced', { orderId: 'o4' });
  log.add('order-o5', 'OrderPlaced', { orderId: 'o5', customerId: 'c2', purchasedAt: '2018-09-01T12:00:00.000Z', estimatedDeliveryAt: '2018-09-20T00:00:00.000Z' });
  log.add('order-o5', 'OrderMarkedUnavailable', { orderId: 'o5' });

  log.add('shipment-o1', 'ShipmentDispatched', { orderId: 'o1', dispatchedAt: '2017-10-04T19:55:00.000Z' });
  log.add('shipment-o1', 'DeliveryCompleted', { orderId: 'o1', deliveredAt: '2017-10-10T21:25:13.000Z', estimatedDeliveryAt: '2017-10-18T00:00:00.000Z', onTime: true, delayDays: -8 });
  log.add('shipment-o3', 'ShipmentDispatched', { orderId: 'o3', dispatchedAt: '2018-01-03T15:00:00.000Z' });
  log.add('shipment-o3', 'DeliveryCompleted', { orderId: 'o3', deliveredAt: '2018-01-18T12:00:00.000Z', estimatedDeliveryAt: '2018-01-15T00:00:00.000Z', onTime: false, delayDays: 3 });
  log.add('shipment-o4', 'ShipmentDispatched', { orderId: 'o4', dispatchedAt: null });

  log.add('order-o1', 'OrderItemAdded', item('o1', 1, 'p1', 's1', '2017-10-06T11:07:15.000Z', 5890, 1329));
  log.add('order-o1', 'OrderItemAdded', item('o1', 2, 'p3', 's2', '2017-10-06T11:07:15.000Z', 4990, 1000));
  log.add('order-o2', 'OrderItemAdded', item('o2', 1, 'p2', 's1', '2018-02-19T22:20:29.000Z', 12990, 0));
  log.add('order-o3', 'OrderItemAdded', item('o3', 1, 'p4', 's2', '2018-01-05T00:10:00.000Z', 1999, 850));
  log.add('order-o4', 'OrderItemAdded', item('o4', 1, 'p1', 's1', '2018-08-07T09:30:00.000Z', 5890, 1329));

  log.add('order-o1', 'PaymentReceived', { orderId: 'o1', paymentSequential: 1, paymentType: 'credit_card', installments: 3, value: 10000 });
  log.add('order-o1', 'PaymentReceived', { orderId: 'o1', paymentSequential: 2, paymentType: 'voucher', installments: 1, value: 3209 });
  log.add('order-o2', 'PaymentReceived', { orderId: 'o2', paymentSequential: 1, paymentType: 'boleto', installments: 1, value: 12990 });
  log.add('order-o3', 'PaymentReceived', { orderId: 'o3', paymentSequential: 1, paymentType: 'credit_card', installments: 0, value: 2849 });
  log.add('order-o4', 'PaymentReceived', { orderId: 'o4', paymentSequential: 1, paymentType: 'debit_card', installments: 1, value: 7219 });

  log.add('review-r1', 'ReviewSubmitted', { reviewId: 'r1', orderId: 'o1', score: 5, commentTitle: null, commentMessage: 'Ótimo, chegou "antes", do prazo\nrecomendo', createdAt: '2017-10-11T00:00:00.000Z' });
  log.add('review-r1', 'ReviewAnswered', { reviewId: 'r1', orderId: 'o1', answeredAt: '2017-10-12T10:00:00.000Z' });
  log.add('review-r1', 'ReviewSubmitted', { reviewId: 'r1', orderId: 'o3', score: 2, commentTitle: '', commentMessage: null, createdAt: '2018-01-19T00:00:00.000Z' });
  log.add('review-r2', 'ReviewSubmitted', { reviewId: 'r2', orderId: 'o2', score: 1, commentTitle: 'ruim', commentMessage: '  ', createdAt: '2018-02-20T00:00:00.000Z' });

  log.add('pipeline_run-r1', 'RowRejected', { runId: 'r1', file: 'x.csv', line: 7, raw: { a: 'b' }, reasons: ['bad'] });
  log.add('somewhere-1', 'SomethingNew', { whatever: true });

  // Late and corrected reference data.
  log.add('product-p4', 'ProductListed', product('p4', 'utilidades_domesticas', [50, 500, 2, 1000, 30, 20, 10]));
  log.add('category-bebes', 'CategoryTranslationCorrected', { category: 'bebes', categoryNameEn: 'babies' });
  log.add('seller-s2', 'SellerDetailsCorrected', { sellerId: 's2', zipPrefix: '13023', city: 'campinas', state: 'SP' });
  log.add('pipeline_run-r1', 'PipelineRunCompleted', { runId: 'r1', completedAt: '2024-01-01T00:10:00.000Z' });
  return log;
};
