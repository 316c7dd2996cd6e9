import {
  InvalidMartQueryError,
  MartPageCache,
  MartsUnavailableError,
  UnknownMartColumnError,
  UnknownMartError,
  type MartCatalog,
  type MartPage,
  type MartQuery,
  type MartReader,
  type MartRefresh,
} from '@olist/analytics';
import { errorBodyOfAnswer, fetchProjector } from './projector-client.js';
import { BeforeTheLogError, type LogPoint, type MartTimeTravel } from '../time-travel/marts-as-of.js';

const pointBody = (point: LogPoint | undefined) =>
  point === undefined ? {} : 'atPosition' in point ? { atPosition: point.atPosition } : { recordedAsOf: point.recordedAsOf.toISOString() };

/**
 * The MartReader port over HTTP, for an API whose projector runs as its own process (PROJECTOR=external):
 * that process owns the DuckDB file, so it answers (libs/projector InternalMartsController), and its
 * errors come back as the same typed errors, from the body's `code`. An unreachable or failing projector
 * is MartsUnavailable (503). Pages are kept here too, until the projector reports a later refresh
 * ({@link MartPageCache}): a read asks the projector which refresh its marts are at (one small request,
 * shared by the reads that arrive while it runs) and forwards the read only for a page not kept.
 */
export class ProjectorMartReader implements MartReader, MartTimeTravel {
  private readonly pages = new MartPageCache(() => this.call<MartRefresh>('/refresh', undefined, ''));

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  catalog(): Promise<MartCatalog> {
    return this.call<MartCatalog>('', undefined, '');
  }

  read(mart: string, query: MartQuery): Promise<MartPage> {
    return this.pages.read(mart, query, () => this.call<MartPage>(`/${encodeURIComponent(mart)}/query`, query, mart));
  }

  currentRefresh(): Promise<MartRefresh> {
    return this.pages.latest();
  }

  /** MartTimeTravel: the projector replays the log up to the point (it owns the store's reader and a scratch directory). */
  readAt(mart: string, query: MartQuery, point: LogPoint) {
    return this.call<MartPage & { position: string; eventsReplayed: number }>(`/${encodeURIComponent(mart)}/query`, query, mart, point);
  }

  private async call<T>(path: string, body: MartQuery | undefined, mart: string, point?: LogPoint): Promise<T> {
    const response = await fetchProjector(
      this.baseUrl,
      `/internal/v1/marts${path}`,
      {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify({ filters: body.filters, order: body.order, limit: body.limit, offset: body.offset, ...pointBody(point) }) : undefined,
        timeoutMs: this.timeoutMs,
      },
      (message) => new MartsUnavailableError(message),
    );
    if (response.ok) return (await response.json()) as T;
    const { code, message, details } = await errorBodyOfAnswer(response);
    const parameter = typeof details.parameter === 'string' ? details.parameter : 'query';
    switch (code) {
      case 'MART.UNKNOWN_MART':
        throw new UnknownMartError(mart);
      case 'MART.UNKNOWN_COLUMN':
        throw new UnknownMartColumnError(parameter, message);
      case 'MART.INVALID_QUERY':
      case 'REQUEST.INVALID':
        throw new InvalidMartQueryError(parameter, message);
      case 'MART.UNAVAILABLE':
        throw new MartsUnavailableError(message);
      case 'AUDIT.BEFORE_THE_LOG':
        throw new BeforeTheLogError(message, details);
      default:
        throw new MartsUnavailableError(`the projector (${this.baseUrl}) failed to answer: ${message}`);
    }
  }
}
