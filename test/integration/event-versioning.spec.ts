import { randomUUID } from 'node:crypto';
import { createPgliteClient } from '@olist/postgres';
import { EVENT_SCHEMAS } from '@olist/event-catalog';
import { ProjectorRunner } from '@olist/projector';
import { Harness } from '../../libs/analytics/test/support/harness.js';
import { EventSchemaRegistry, PostgresEventStore, UpcastingEventStore, type RecordedEvent, type Upcaster } from '@olist/event-store';

/**
 * SellerRegistered as it might have been first written (v1: Olist's column names, state lower-case) and the
 * upcaster that reads it as the current shape (v2: the catalog's SellerData).
 */
const sellerV1toV2: Upcaster = {
  type: 'SellerRegistered',
  fromVersion: 1,
  upcast: (data) => {
    const v1 = data as { seller_id: string; seller_zip_code_prefix: string; seller_city: string; seller_state: string };
    return { sellerId: v1.seller_id, zipPrefix: v1.seller_zip_code_prefix.padStart(5, '0'), city: v1.seller_city, state: v1.seller_state.toUpperCase() };
  },
};

const event = (type: string, data: unknown, schemaVersion: number) => ({ id: randomUUID(), type, data, metadata: { schemaVersion } });

describe('versioned event schemas', () => {
  describe('EventSchemaRegistry', () => {
    const chain = new EventSchemaRegistry([
      sellerV1toV2,
      { type: 'SellerRegistered', fromVersion: 2, upcast: (d) => ({ ...(d as object), verified: false }) },
    ]);
    const recorded = (data: unknown, schemaVersion?: number): RecordedEvent => ({
      id: randomUUID(), type: 'SellerRegistered', streamId: 'seller-s1', revision: 0n, position: 'p' as never, data,
      metadata: schemaVersion === undefined ? {} : { schemaVersion }, recordedAt: new Date(),
    });

    it('declares the current version of each type (1 without upcasters)', () => {
      expect(chain.currentVersion('SellerRegistered')).toBe(3);
      expect(chain.currentVersion('OrderPlaced')).toBe(1);
    });

    it('runs the whole chain from the stored version, and keeps the stored version in the metadata', () => {
      const up = chain.upcast(recorded({ seller_id: 's1', seller_zip_code_prefix: '1037', seller_city: 'sao paulo', seller_state: 'sp' }, 1));
      expect(up.data).toEqual({ sellerId: 's1', zipPrefix: '01037', city: 'sao paulo', state: 'SP', verified: false });
      expect(up.metadata).toMatchObject({ schemaVersion: 3, storedSchemaVersion: 1 });
      expect(chain.upcast(recorded({ sellerId: 's1' }, 2)).data).toEqual({ sellerId: 's1', verified: false });
    });

    it('leaves current events alone, and reads events without a version as v1', () => {
      const current = recorded({ sellerId: 's1', verified: true }, 3);
      expect(chain.upcast(current)).toBe(current);
      expect(chain.upcast(recorded({ seller_id: 's1', seller_zip_code_prefix: '1', seller_city: 'x', seller_state: 'rj' })).data).toMatchObject({ state: 'RJ' });
    });

    it('refuses an incomplete chain', () => {
      expect(() => new EventSchemaRegistry([{ type: 'T', fromVersion: 2, upcast: (d) => d }])).toThrow(/no upcaster for T v1/);
    });
  });

  it('a v1 event written before v2 existed and a v2 event both reach the star schema in the current shape', async () => {
    const store = new PostgresEventStore(await createPgliteClient(), { ownsClient: true });
    await store.migrate();
    // Written when SellerRegistered was v1.
    await store.appendToStream('seller-s1', [event('SellerRegistered', { seller_id: 's1', seller_zip_code_prefix: '1037', seller_city: 'sao paulo', seller_state: 'sp' }, 1)]);
    // v2 is introduced: new events are written in the new shape, with the new version.
    const schemas = new EventSchemaRegistry([sellerV1toV2]);
    await store.appendToStream('seller-s2', [event('SellerRegistered', { sellerId: 's2', zipPrefix: '13023', city: 'campinas', state: 'SP' }, schemas.currentVersion('SellerRegistered'))]);

    const upcasting = new UpcastingEventStore(store, schemas);
    expect((await upcasting.readStream('seller-s1'))[0]!.data).toEqual({ sellerId: 's1', zipPrefix: '01037', city: 'sao paulo', state: 'SP' });

    const harness = await Harness.create();
    const runner = new ProjectorRunner(upcasting, harness.projection);
    try {
      await runner.start();
      await runner.waitUntilCaughtUp();
      expect(await harness.rows("SELECT seller_id, zip_prefix, city, state FROM core.dim_seller WHERE seller_key <> 0 ORDER BY seller_id")).toEqual([
        { seller_id: 's1', zip_prefix: '01037', city: 'sao paulo', state: 'SP' },
        { seller_id: 's2', zip_prefix: '13023', city: 'campinas', state: 'SP' },
      ]);
    } finally {
      await runner.stop();
      harness.close();
      await upcasting.close();
    }
  }, 60_000);

  it('ZipCodeLocated v1 (one point per event, stored before a batch\'s points became one event) reads as v2 and projects the same geography', async () => {
    const store = new PostgresEventStore(await createPgliteClient(), { ownsClient: true });
    await store.migrate();
    const point = (lat: number) => ({ lat, lng: -46.6, city: 'sao paulo', state: 'SP' });
    await store.appendToStream('zip-01001', [1, 2].map((i) => event('ZipCodeLocated', { zipPrefix: '01001', ...point(-23 - i / 10) }, 1)));
    expect(EVENT_SCHEMAS.currentVersion('ZipCodeLocated')).toBe(2);
    await store.appendToStream('zip-01001', [event('ZipCodeLocated', { zipPrefix: '01001', locations: [point(-23.3), point(-23.4)] }, 2)]);

    const upcasting = new UpcastingEventStore(store, EVENT_SCHEMAS);
    expect((await upcasting.readStream('zip-01001')).map((e) => e.data)).toEqual([
      { zipPrefix: '01001', locations: [point(-23.1)] },
      { zipPrefix: '01001', locations: [point(-23.2)] },
      { zipPrefix: '01001', locations: [point(-23.3), point(-23.4)] },
    ]);
    const harness = await Harness.create();
    const runner = new ProjectorRunner(upcasting, harness.projection);
    try {
      await runner.start();
      await runner.waitUntilCaughtUp();
      expect(await harness.rows("SELECT zip_prefix, location_rows, round(lat, 6) AS lat FROM core.dim_geography WHERE zip_prefix = '01001'")).toEqual([
        { zip_prefix: '01001', location_rows: 4n, lat: -23.25 },
      ]);
    } finally {
      await runner.stop();
      harness.close();
      await upcasting.close();
    }
  }, 60_000);
});
