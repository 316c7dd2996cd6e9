import {
  InvalidMartQueryError,
  MartsUnavailableError,
  UnknownMartError,
  type MartCatalog,
  type MartPage,
  type MartQuery,
  type MartReader,
} from '@olist/analytics';

interface ErrorBody {
  readonly message?: unknown;
  readonly parameter?: unknown;
}

/**
 * The MartReader port over HTTP, for an API whose projector runs as its own process (PROJECTOR=external):
 * that process owns the DuckDB file, so it answers (apps/projector InternalMartsController), and its
 * errors come back as the same typed errors. An unreachable or failing projector is MartsUnavailable (503).
 */
export class ProjectorMartReader implements MartReader {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  catalog(): Promise<MartCatalog> {
    return this.call<MartCatalog>('', undefined, '');
  }

  read(mart: string, query: MartQuery): Promise<MartPage> {
    return this.call<MartPage>(`/${encodeURIComponent(mart)}/query`, query, mart);
  }

  private async call<T>(path: string, body: MartQuery | undefined, mart: string): Promise<T> {
    const url = `${this.baseUrl}/internal/v1/marts${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify({ filters: body.filters, order: body.order, limit: body.limit, offset: body.offset }) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new MartsUnavailableError(`the projector (${this.baseUrl}) cannot be reached: ${(error as Error).message}`);
    }
    if (response.ok) return (await response.json()) as T;
    const payload = (await response.json().catch(() => ({}))) as ErrorBody;
    const message = Array.isArray(payload.message) ? payload.message.join('; ') : typeof payload.message === 'string' ? payload.message : `HTTP ${response.status}`;
    switch (response.status) {
      case 400:
        throw new InvalidMartQueryError(typeof payload.parameter === 'string' ? payload.parameter : 'query', message);
      case 404:
        throw new UnknownMartError(mart);
      case 503:
        throw new MartsUnavailableError(message);
      default:
        throw new MartsUnavailableError(`the projector (${this.baseUrl}) failed to answer: ${message}`);
    }
  }
}
