import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbMartReader, type MartQuery, type MartReader } from '@olist/analytics';
import { DuckDbDatabase, findUpwards, type DuckDbClient } from '@olist/duckdb';
import { HttpErrorsFilter } from '@olist/infrastructure';
import { ValidationPipe, type Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { MartsController } from '../src/api/marts.controller.js';
import { ProjectorMartReader } from '../src/api/projector-mart-reader.js';
import { InternalMartsController } from '../src/http/internal-marts.controller.js';
import { MART_READER, MARTS_AS_OF } from '../src/tokens.js';

const schemaSql = readFileSync(join(findUpwards(import.meta.url, 'projections/duckdb/marts'), 'mart_schema.sql'), 'utf8');

/** A refresh as MartRefresher makes one: version v has `months` rows of monthly revenue, every gmv = v. */
const refresh = (client: DuckDbClient, version: number, months: number) =>
  client.transaction(async (tx) => {
    await tx.run(schemaSql);
    await tx.run(`CREATE OR REPLACE TABLE mart.monthly_revenue AS
      SELECT CAST(DATE '2017-01-01' + to_months(CAST(range AS INTEGER)) AS DATE) AS month, CAST(${version} AS DECIMAL(18,2)) AS gmv
      FROM range(${months})`);
    await tx.run(`INSERT INTO mart.refresh_log VALUES (TIMESTAMP '2026-01-01 00:00:00' + to_seconds(${version}), 'core_star_schema', '${version}', ${version}, ['mart.monthly_revenue'], 'sha', 1)`);
  });

const listen = async (controller: Type, reader: MartReader): Promise<{ app: NestExpressApplication; url: string }> => {
  const moduleRef = await Test.createTestingModule({
    controllers: [controller],
    providers: [{ provide: MART_READER, useValue: reader }, { provide: MARTS_AS_OF, useValue: {} }],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new HttpErrorsFilter());
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
};

/** The API (PROJECTOR=external) in front of the projector's internal endpoints, each with its own page cache. */
describe('mart reads through the API and the projector, pages kept until the next refresh', () => {
  let db: DuckDbDatabase;
  let writer: DuckDbClient;
  let projector: { app: NestExpressApplication; url: string };
  let api: { app: NestExpressApplication; url: string };
  let forwarded = 0;

  beforeAll(async () => {
    db = await DuckDbDatabase.open();
    writer = await db.connect();
    const duckdb = new DuckDbMartReader(db);
    const counting: MartReader = {
      catalog: () => duckdb.catalog(),
      currentRefresh: () => duckdb.currentRefresh(),
      read: (mart: string, query: MartQuery) => {
        forwarded++;
        return duckdb.read(mart, query);
      },
    };
    projector = await listen(InternalMartsController, counting);
    api = await listen(MartsController, new ProjectorMartReader(projector.url));
  });
  afterAll(async () => {
    await api?.app.close();
    await projector?.app.close();
    writer?.close();
    db?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`${api.url}${path}`);
    const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
    return { status: response.status, headers, body: await response.text() };
  };

  it('answers a kept page exactly as it answered it first, without asking the projector for the page again', async () => {
    await refresh(writer, 1, 12);
    for (const path of ['/v1/marts/monthly_revenue?limit=5&offset=2', '/v1/marts/monthly_revenue?limit=5&format=csv&month.gte=2017-03-01']) {
      const first = await get(path);
      expect(first.status).toBe(200);
      expect(first.headers).toMatchObject({ 'cache-control': 'no-store', etag: expect.any(String), 'x-mart-refresh-sequence': '1', 'x-total-count': expect.any(String) });
      const before = forwarded;
      expect(await get(path)).toEqual(first);
      expect(forwarded).toBe(before);
    }
  });

  it('after a refresh that changes the mart, the next read answers the new rows', async () => {
    const path = '/v1/marts/monthly_revenue?limit=3';
    const old = JSON.parse((await get(path)).body) as { rows: Array<{ gmv: number }>; total: number };
    expect([old.total, old.rows.map((r) => r.gmv)]).toEqual([12, [1, 1, 1]]);
    await refresh(writer, 2, 20);
    const next = await get(path);
    expect(next.headers).toMatchObject({ 'x-mart-refresh-sequence': '2', 'x-total-count': '20' });
    expect((JSON.parse(next.body) as { rows: Array<{ gmv: number }> }).rows.map((r) => r.gmv)).toEqual([2, 2, 2]);
  });
});
