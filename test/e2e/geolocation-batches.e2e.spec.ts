import type { EventStore } from '@olist/event-store';
import { EVENT_STORE } from '@olist/infrastructure';
import { rowHash, rowsHash, type Provenance } from '@olist/shared-kernel';
import { startEmbeddedApi, type EmbeddedApi } from '../support/embedded-api.js';

const RUN = '0c6a2f4e-8b1d-4e3a-9f5c-2d7e8a9b0c1d';
const HEADER = ['geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng', 'geolocation_city', 'geolocation_state'];

/**
 * A zip prefix's new points of one batch are one ZipCodeLocated event: every row still accounted for (accepted or
 * duplicate), each row's line in the event's provenance, and the prefix's centroid over every point.
 */
describe('end to end: a zip prefix\'s points of one batch are one event', () => {
  let api: EmbeddedApi;
  let store: EventStore;
  const post = async (rows: Array<{ line: number; values: string[] }>) => {
    const res = await fetch(`${api.url}/v1/pipeline-runs/${RUN}/files/geolocation/batches`, {
      method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify({ header: HEADER, rows }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { accepted: number; duplicates: number; rejected: number; eventsAppended: number; results: Array<{ line: number; outcome: string }> };
  };
  const point = (line: number, zip: string, lat: string) => ({ line, values: [zip, lat, '-46.6', 'sao paulo', 'SP'] });
  const first = [point(2, '01001', '-23.1'), point(3, '01002', '-23.5'), point(4, '01001', '-23.2'), point(5, '01001', '-23.1'), point(6, '01001', '-23.3'), point(7, '01002', '-23.6')];

  beforeAll(async () => {
    api = await startEmbeddedApi();
    store = api.app.get<EventStore>(EVENT_STORE);
    await fetch(`${api.url}/v1/pipeline-runs`, { method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify({ runId: RUN, source: 'test' }) });
  }, 60_000);
  afterAll(() => api?.close());

  it('records each prefix\'s new points as one event, the repeated point a duplicate row', async () => {
    const result = await post(first);
    expect(result).toMatchObject({ accepted: 5, duplicates: 1, rejected: 0, eventsAppended: 2 });
    expect(result.results.find((r) => r.line === 5)).toEqual({ line: 5, outcome: 'duplicate' });

    const [zip1] = await store.readStream('zip-01001');
    expect(zip1!.data).toEqual({ zipPrefix: '01001', locations: [-23.1, -23.2, -23.3].map((lat) => ({ lat, lng: -46.6, city: 'sao paulo', state: 'SP' })) });
    const hashes = [2, 4, 6].map((line) => rowHash(first.find((r) => r.line === line)!.values));
    expect(zip1!.metadata.provenance).toEqual({ file: 'olist_geolocation_dataset.csv', line: 2, rowHash: rowsHash(hashes), lines: [2, 4, 6] });
    expect((await store.readStream('zip-01002')).map((e) => (e.metadata.provenance as Provenance).lines)).toEqual([[3, 7]]);
  });

  it('appends nothing for the same rows again, and one event of one point for a new point', async () => {
    expect(await post(first)).toMatchObject({ accepted: 0, duplicates: 6, eventsAppended: 0 });
    expect(await post([point(8, '01001', '-23.1'), point(9, '01001', '-23.4')])).toMatchObject({ accepted: 1, duplicates: 1, eventsAppended: 1 });
    const events = await store.readStream('zip-01001');
    expect(events).toHaveLength(2);
    expect(events[1]!.data).toEqual({ zipPrefix: '01001', locations: [{ lat: -23.4, lng: -46.6, city: 'sao paulo', state: 'SP' }] });
    expect(events[1]!.metadata.provenance).toEqual({ file: 'olist_geolocation_dataset.csv', line: 9, rowHash: rowHash(point(9, '01001', '-23.4').values) });
  });

  it('projects the centroid over every point of the prefix', async () => {
    await api.waitForProjector();
    const db = await api.duckdb();
    try {
      expect(await db.query(`SELECT zip_prefix, location_rows, round(lat, 6) AS lat FROM core.dim_geography WHERE zip_prefix IN ('01001', '01002') ORDER BY 1`)).toEqual([
        { zip_prefix: '01001', location_rows: 4n, lat: -23.25 },
        { zip_prefix: '01002', location_rows: 2n, lat: -23.55 },
      ]);
    } finally {
      db.close();
    }
  });
});
