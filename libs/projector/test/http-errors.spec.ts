import {
  InvalidMartQueryError,
  MartsUnavailableError,
  UnknownMartColumnError,
  UnknownMartError,
  type MartPage,
  type MartQuery,
  type MartReader,
} from '@olist/analytics';
import { EventStoreUnavailableError, WrongExpectedVersionError } from '@olist/event-store';
import { HttpErrorsFilter } from '@olist/infrastructure';
import { ValidationPipe, type LoggerService } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { ProjectorMartReader } from '../src/api/projector-mart-reader.js';
import { ProjectorRebuildClient } from '../src/api/projector-rebuild-client.js';
import { InternalMartsController } from '../src/http/internal-marts.controller.js';
import { InternalRebuildController } from '../src/http/internal-rebuild.controller.js';
import { RebuildInProgressError, RebuildUnavailableError, type RebuildVerification } from '../src/rebuild/rebuild-verifier.js';
import type { RebuildReport } from '../src/rebuild/rebuild.js';
import { MART_READER, MARTS_AS_OF, REBUILD_VERIFIER } from '../src/tokens.js';

const QUERY: MartQuery = { filters: [], order: [], limit: 10, offset: 0 };

/** A MartReader whose mart name says how it fails. */
const reader: MartReader = {
  catalog: () => Promise.reject(new MartsUnavailableError('the marts are not built yet')),
  currentRefresh: () => Promise.reject(new MartsUnavailableError('the marts are not built yet')),
  read: async (mart): Promise<MartPage> => {
    switch (mart) {
      case 'unknown':
        throw new UnknownMartError(mart);
      case 'column':
        throw new UnknownMartColumnError('month.gte', 'month.gte: monthly_revenue has no column "month"');
      case 'invalid':
        throw new InvalidMartQueryError('limit', 'limit must be an integer from 1 to 100000');
      case 'race':
        throw new WrongExpectedVersionError('order-1', 3n, 4n);
      case 'store_down':
        throw new EventStoreUnavailableError('deadline exceeded');
      case 'db_restarting':
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      case 'db_down':
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      default:
        throw new Error('secret detail of a bug');
    }
  },
};

let rebuildFailure: Error = new RebuildInProgressError();
const verifier: RebuildVerification = { run: (): Promise<RebuildReport> => Promise.reject(rebuildFailure) };

/** The projector's internal endpoints behind the one error filter, as apps/projector composes them. */
describe('error answers of the projector endpoints, and their HTTP clients', () => {
  let app: NestExpressApplication;
  let url: string;
  const logged: unknown[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [InternalMartsController, InternalRebuildController],
      providers: [{ provide: MART_READER, useValue: reader }, { provide: MARTS_AS_OF, useValue: { readAt: reader.read } }, { provide: REBUILD_VERIFIER, useValue: verifier }],
    }).compile();
    const logger: LoggerService = { log: () => undefined, warn: () => undefined, error: (message: unknown) => void logged.push(message) };
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger });
    app.useBodyParser('json', { limit: '1kb' });
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
    app.useGlobalFilters(new HttpErrorsFilter());
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = async (path: string, body: string) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
  };
  const read = (mart: string) => post(`/internal/v1/marts/${mart}/query`, JSON.stringify(QUERY));

  it('answers typed errors with their code, message and details, and the status of their kind', async () => {
    expect(await read('unknown')).toMatchObject({ status: 404, body: { code: 'MART.UNKNOWN_MART', details: { mart: 'unknown' } } });
    expect(await read('column')).toEqual({
      status: 400,
      retryAfter: null,
      body: { code: 'MART.UNKNOWN_COLUMN', message: 'month.gte: monthly_revenue has no column "month"', details: { parameter: 'month.gte' } },
    });
    expect(await read('invalid')).toMatchObject({ status: 400, body: { code: 'MART.INVALID_QUERY', details: { parameter: 'limit' } } });
    const catalog = await fetch(`${url}/internal/v1/marts`);
    expect([catalog.status, catalog.headers.get('retry-after'), ((await catalog.json()) as { code: string }).code]).toEqual([503, '1', 'MART.UNAVAILABLE']);
    rebuildFailure = new RebuildInProgressError();
    expect(await post('/internal/v1/rebuild-verify', '')).toMatchObject({ status: 409, body: { code: 'REBUILD.IN_PROGRESS' } });
  });

  it('answers the event store failures 503 with Retry-After', async () => {
    expect(await read('race')).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        code: 'EVENT_STORE.CONCURRENT_WRITERS',
        message: 'concurrent writers kept changing stream order-1; post the batch again (nothing is appended twice)',
        details: { streamId: 'order-1' },
      },
    });
    expect(await read('store_down')).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: { code: 'EVENT_STORE.UNAVAILABLE', message: 'the event store is unavailable (deadline exceeded); post the batch again (nothing is appended twice)' },
    });
  });

  it('answers PostgreSQL restarting or unreachable 503 DATABASE.UNAVAILABLE with Retry-After, not 500', async () => {
    for (const mart of ['db_restarting', 'db_down']) {
      expect(await read(mart)).toMatchObject({ status: 503, retryAfter: '1', body: { code: 'DATABASE.UNAVAILABLE', details: {} } });
    }
  });

  it('answers an unexpected error 500 INTERNAL, logs it, and says nothing of it', async () => {
    logged.length = 0;
    const answer = await read('bug');
    expect(answer).toMatchObject({ status: 500, body: { code: 'INTERNAL', details: {} } });
    expect(JSON.stringify(answer.body)).not.toMatch(/secret|at /);
    expect(String(logged[0])).toContain('secret detail of a bug');
  });

  it("answers Nest's own errors with the same body: validation, malformed JSON, unknown route, too large", async () => {
    const invalid = await post('/internal/v1/marts/x/query', JSON.stringify({ ...QUERY, limit: 0, extra: 1 }));
    expect(invalid).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    expect(invalid.body['details']).toEqual({ errors: expect.arrayContaining(['property extra should not exist', 'limit must not be less than 1']) });
    expect(invalid.body['message']).toContain('limit must not be less than 1');
    expect(await post('/internal/v1/marts/x/query', '{"filters":')).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    const unknown = await fetch(`${url}/nope`);
    expect([unknown.status, await unknown.json()]).toEqual([404, { code: 'REQUEST.NOT_FOUND', message: 'Cannot GET /nope', details: {} }]);
    const tooLarge = await post('/internal/v1/marts/x/query', JSON.stringify({ ...QUERY, filters: [{ column: 'c', op: 'eq', values: ['x'.repeat(2000)] }] }));
    expect(tooLarge).toMatchObject({ status: 413, body: { code: 'REQUEST.PAYLOAD_TOO_LARGE' } });
  });

  it('the HTTP clients turn the answers back into the same typed errors', async () => {
    const marts = new ProjectorMartReader(url);
    await expect(marts.read('unknown', QUERY)).rejects.toBeInstanceOf(UnknownMartError);
    await expect(marts.read('column', QUERY)).rejects.toMatchObject({ constructor: UnknownMartColumnError, code: 'MART.UNKNOWN_COLUMN', parameter: 'month.gte' });
    await expect(marts.read('invalid', QUERY)).rejects.toMatchObject({ constructor: InvalidMartQueryError, code: 'MART.INVALID_QUERY', parameter: 'limit' });
    await expect(marts.catalog()).rejects.toMatchObject({ constructor: MartsUnavailableError, message: 'the marts are not built yet' });
    await expect(marts.read('bug', QUERY)).rejects.toMatchObject({ constructor: MartsUnavailableError, code: 'MART.UNAVAILABLE' });

    const rebuild = new ProjectorRebuildClient(url);
    rebuildFailure = new RebuildInProgressError();
    await expect(rebuild.run()).rejects.toBeInstanceOf(RebuildInProgressError);
    rebuildFailure = new Error('disk full');
    await expect(rebuild.run()).rejects.toMatchObject({ constructor: RebuildUnavailableError, code: 'REBUILD.UNAVAILABLE' });
  });

  it('an unreachable projector is unavailable', async () => {
    const gone = 'http://127.0.0.1:9';
    await expect(new ProjectorMartReader(gone).read('monthly_revenue', QUERY)).rejects.toMatchObject({ code: 'MART.UNAVAILABLE', message: expect.stringContaining('cannot be reached') });
    await expect(new ProjectorRebuildClient(gone).run()).rejects.toMatchObject({ code: 'REBUILD.UNAVAILABLE', message: expect.stringContaining('cannot be reached') });
  });
});
