import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { writeFile } from 'node:fs/promises';
import { generateDataset } from '@olist/generator';
import type { RebuildJobView, RebuildReport } from '@olist/projector';
import { SQL_CLIENT } from '@olist/infrastructure';
import type { SqlClient } from '@olist/postgres';
import { startEmbeddedApi, type EmbeddedApi } from './embedded-api.js';

/**
 * LGPD erasure end to end (issue: crypto-shredding), for one event store: a generated dataset in which one
 * person (the subject) and one other (the control) carry values found nowhere else — a city, review texts, and a
 * rejected row of the subject's. After `POST /v1/admin/erasures` no byte of the subject's values is left in any
 * file of the stores (PGlite's data directory and WAL, the DuckDB file, time-travel and query snapshots), the
 * API shows them erased while the control reads normally, marts keep every order and real, a rebuild equals the
 * live tables, and re-posting the files appends nothing and brings nothing back.
 */
export const erasureSuite = (name: string, env: () => Record<string, string>) => {
  describe(name, () => {
    const SUBJECT_CITY = 'zacariasopolis apagada';
    const SUBJECT_TITLE = 'Zacarias Titulo Unico';
    const SUBJECT_MESSAGE = 'Meu nome e Zacarias Apagado, telefone 5551234987';
    const REJECTED_CITY = 'zacariasopolis rejeitada';
    const CONTROL_CITY = 'controlopolis mantida';
    const CONTROL_MESSAGE = 'Controle mantido com carinho';
    const SECRETS = [SUBJECT_CITY, SUBJECT_TITLE, SUBJECT_MESSAGE, REJECTED_CITY];

    let dataDir: string;
    let api: EmbeddedApi;
    let subject: string;
    let control: string;
    let subjectCustomerIds: string[];

    const get = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${api.url}${path}`, { headers: api.headers });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    const post = (path: string, body: object) =>
      fetch(`${api.url}${path}`, { method: 'POST', headers: { ...api.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    /** Every file under `dir` holding one of `needles` (UTF-8 bytes): what a thief of the disk would find. */
    const filesHolding = async (dir: string, needles: ReadonlyArray<string>): Promise<string[]> => {
      const found: string[] = [];
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const file = join(entry.parentPath, entry.name);
        const bytes = await readFile(file);
        for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${file}: ${needle}`);
      }
      return found;
    };

    const martTotals = async () => {
      const client = await api.duckdb();
      try {
        return await client.query<{ orders: bigint; gmv: string; reviews: bigint }>(
          `SELECT (SELECT sum(orders) FROM mart.monthly_revenue) AS orders, CAST((SELECT sum(gmv) FROM mart.monthly_revenue) AS VARCHAR) AS gmv,
                  (SELECT count(*) FROM core.fact_reviews) AS reviews`,
        );
      } finally {
        client.close();
      }
    };

    const dimCustomer = async (ids: ReadonlyArray<string>) => {
      const client = await api.duckdb();
      try {
        return await client.query<{ customer_id: string; zip_prefix: string; city: string; state: string; geography_key: bigint }>(
          `SELECT customer_id, zip_prefix, city, state, geography_key FROM core.dim_customer WHERE customer_id IN (${ids.map((id) => `'${id}'`).join(', ')}) ORDER BY customer_id`,
        );
      } finally {
        client.close();
      }
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'olist-dw-erasure-'));
      await generateDataset({ orders: 300, seed: 'erasure', outDir: dataDir });
      const read = async (file: string) => parse(await readFile(join(dataDir, file)), { columns: true, bom: true }) as Array<Record<string, string>>;
      const write = async (file: string, rows: Array<Record<string, string>>) => writeFile(join(dataDir, file), stringify(rows, { header: true }));
      const customers = await read('olist_customers_dataset.csv');
      const orders = await read('olist_orders_dataset.csv');
      const reviews = await read('olist_order_reviews_dataset.csv');
      const reviewed = new Set(reviews.map((r) => r.order_id));
      const personOf = new Map(customers.map((c) => [c.customer_id!, c.customer_unique_id!]));
      const withReview = [...new Set(orders.filter((o) => reviewed.has(o.order_id!)).map((o) => personOf.get(o.customer_id!)!))];
      [subject, control] = [withReview[0]!, withReview[1]!];
      for (const c of customers) {
        if (c.customer_unique_id === subject) c.customer_city = SUBJECT_CITY;
        if (c.customer_unique_id === control) c.customer_city = CONTROL_CITY;
      }
      subjectCustomerIds = customers.filter((c) => c.customer_unique_id === subject).map((c) => c.customer_id!);
      // A row of the subject's that is rejected (no such state): its raw values go to the quarantine, sealed.
      const rejectedId = randomBytes(16).toString('hex');
      customers.push({ customer_id: rejectedId, customer_unique_id: subject, customer_zip_code_prefix: '01001', customer_city: REJECTED_CITY, customer_state: 'XX' });
      subjectCustomerIds.push(rejectedId);
      const customerOf = new Map(orders.map((o) => [o.order_id!, personOf.get(o.customer_id!)]));
      for (const r of reviews) {
        if (customerOf.get(r.order_id!) === subject) Object.assign(r, { review_comment_title: SUBJECT_TITLE, review_comment_message: SUBJECT_MESSAGE });
        if (customerOf.get(r.order_id!) === control) r.review_comment_message = CONTROL_MESSAGE;
      }
      await write('olist_customers_dataset.csv', customers);
      await write('olist_order_reviews_dataset.csv', reviews);
      api = await startEmbeddedApi(env());
      await api.loadAndSettle(dataDir);
    }, 240_000);

    afterAll(async () => {
      await api?.close().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    });

    it('stores people\'s personal values sealed: the log and the quarantine hold no plaintext, the API reads them open', async () => {
      await api.app.get<SqlClient>(SQL_CLIENT).query('CHECKPOINT'); // PGlite's pages on disk, not only in its WAL
      expect(await filesHolding(join(api.dir, 'pglite'), [...SECRETS, CONTROL_CITY, CONTROL_MESSAGE])).toEqual([]);
      const key = await stat(join(api.dir, 'master.key'));
      expect(key.mode & 0o777).toBe(0o600);

      const stream = await get<{ events: Array<{ data: { city: string }; personalDataKey?: string }> }>(`/v1/audit/streams/customer-${subject}`);
      expect(stream.events.map((e) => e.data.city)).toEqual(stream.events.map(() => SUBJECT_CITY));
      const quarantine = await get<{ rows: Array<{ raw: Record<string, string>; reasons: string[] }> }>('/v1/quarantine?file=customers');
      const rejected = quarantine.rows.find((r) => r.raw.customer_unique_id === subject);
      expect(rejected?.raw.customer_city).toBe(REJECTED_CITY);
      expect(rejected?.reasons).toEqual(['customer_state: the value (withheld: personal data) is not a Brazilian state (UF)']);
      expect((await dimCustomer(subjectCustomerIds.slice(0, 1)))[0]?.city).toBe(SUBJECT_CITY);
    });

    it('erases the person: no byte of their values is left in the stores, every non-personal fact stays, a rebuild equals the live tables', async () => {
      const before = await martTotals();
      // Something to discard: a past built for time travel (its file holds the person's city).
      const runs = await get<{ runs: Array<{ endedAtPosition: string | null }> }>('/v1/pipeline-runs');
      const position = runs.runs.find((r) => r.endedAtPosition)?.endedAtPosition;
      if (position) await get(`/v1/marts/monthly_revenue?atPosition=${position}`);
      // And a query snapshot, the copy analysts' SQL runs on.
      // (The audit log keeps the SQL text: an analyst who types a person's values into a query leaves them there.)
      const query = await post('/v1/query', { sql: `SELECT DISTINCT city FROM core.dim_customer WHERE customer_unique_id = '${subject}'` });
      expect(((await query.json()) as { rows: unknown[] }).rows).toEqual([{ city: SUBJECT_CITY }]);

      const erasure = await post('/v1/admin/erasures', { customerUniqueId: subject, reason: 'LGPD-REQ-0042' });
      expect(erasure.status).toBe(200);
      const answer = (await erasure.json()) as { status: string; keyIds: string[] };
      expect(answer.status).toBe('erased');
      expect([...answer.keyIds].sort()).toEqual([...subjectCustomerIds].sort());
      await api.waitForProjector();

      // Read models and the API: the person's fields are erased; the control's read normally.
      const dims = await dimCustomer(subjectCustomerIds);
      expect(dims.length).toBe(subjectCustomerIds.length - 1); // the rejected row never became a customer
      for (const d of dims) expect(d).toMatchObject({ zip_prefix: '[erased]', city: '[erased]', state: '[erased]', geography_key: 0n });
      const stream = await get<{ events: Array<{ data: Record<string, string> }> }>(`/v1/audit/streams/customer-${subject}`);
      for (const e of stream.events) expect([e.data.zipPrefix, e.data.city, e.data.state]).toEqual(['[erased]', '[erased]', '[erased]']);
      const controlStream = await get<{ events: Array<{ data: { city: string } }> }>(`/v1/audit/streams/customer-${control}`);
      expect(controlStream.events[0]?.data.city).toBe(CONTROL_CITY);
      const quarantine = await get<{ rows: Array<{ raw: Record<string, string> }> }>('/v1/quarantine?file=customers');
      expect(quarantine.rows.find((r) => r.raw.customer_unique_id === subject)?.raw).toMatchObject({ customer_city: '[erased]', customer_state: '[erased]' });
      const erasedEvents = await get<{ events: Array<{ type: string; actor: string; data: Record<string, unknown> }> }>('/v1/audit/events?type=PersonalDataErased');
      expect(erasedEvents.events).toEqual([expect.objectContaining({ type: 'PersonalDataErased', data: expect.objectContaining({ subjectId: subject, reason: 'LGPD-REQ-0042' }) })]);
      const audit = await get<{ entries: Array<{ route: string; method: string; status: number; user_name?: string; userName?: string }> }>('/v1/audit/log?limit=200');
      expect(audit.entries.filter((e) => e.method === 'POST' && e.route === '/v1/admin/erasures').map((e) => e.status)).toEqual([200]);

      // Every non-personal fact still counts.
      expect(await martTotals()).toEqual(before);

      // Asking again changes nothing.
      const again = await post('/v1/admin/erasures', { customerUniqueId: subject, reason: 'LGPD-REQ-0042' });
      expect(((await again.json()) as { status: string }).status).toBe('already-erased');
      expect((await post('/v1/admin/erasures', { customerUniqueId: 'f'.repeat(32), reason: 'x' })).status).toBe(404);

      // Rebuilt from the log, every table equals the live one.
      const started = (await (await post('/v1/admin/rebuilds', {})).json()) as RebuildJobView;
      let job = started;
      while (job.status === 'running') {
        await new Promise((r) => setTimeout(r, 200));
        job = await get<RebuildJobView>(`/v1/admin/rebuilds/${started.jobId}`);
      }
      expect(job.status).toBe('succeeded');
      expect((job.result as RebuildReport).tables.filter((t) => !t.equal).map((t) => t.table)).toEqual([]);
    }, 240_000);

    it('re-posting the original files appends nothing and leaves the person erased; no file of the stores holds their values', async () => {
      const events = (await api.eventIds()).length;
      const reload = await api.loadAndSettle(dataDir);
      expect(reload.totals.eventsAppended).toBe(0);
      expect((await api.eventIds()).length).toBe(events);
      for (const d of await dimCustomer(subjectCustomerIds)) expect(d.city).toBe('[erased]');

      await api.close({ keepFiles: true });
      try {
        expect(await filesHolding(api.dir, SECRETS)).toEqual([]);
        // The control person's city is still in the DuckDB file, where analysts read it: the search finds such values.
        expect(await filesHolding(api.dir, [CONTROL_CITY])).toEqual([expect.stringContaining('olist.duckdb')]);
      } finally {
        await rm(api.dir, { recursive: true, force: true });
      }
    }, 240_000);
  });
};
