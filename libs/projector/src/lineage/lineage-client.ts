import { LineageKeyError, NoLineageError, UnknownFactRowError, UnknownMartError, MartsUnavailableError, type FactTable, type LineageReader, type MartLineagePage } from '@olist/analytics';
import { errorBodyOfAnswer, fetchProjector } from '../api/projector-client.js';

/** Lineage's DuckDB side over HTTP, for an API whose projector runs as its own process. */
export class ProjectorLineageClient implements LineageReader {
  constructor(private readonly baseUrl: string) {}

  martFacts(mart: string, key: Readonly<Record<string, string>>, page: { limit: number; offset: number }): Promise<MartLineagePage> {
    return this.get(`/internal/v1/lineage/marts/${encodeURIComponent(mart)}?${new URLSearchParams({ ...key, limit: String(page.limit), offset: String(page.offset) })}`);
  }

  factRow(table: FactTable, key: Readonly<Record<string, string>>): Promise<Record<string, unknown>> {
    return this.get(`/internal/v1/lineage/facts/${encodeURIComponent(table)}?${new URLSearchParams(key)}`);
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetchProjector(this.baseUrl, path, { timeoutMs: 60_000 }, (message) => new MartsUnavailableError(message));
    if (response.ok) return (await response.json()) as T;
    const { code, message, details } = await errorBodyOfAnswer(response);
    switch (code) {
      case 'MART.UNKNOWN_MART': throw new UnknownMartError(String(details.mart ?? ''));
      case 'AUDIT.NO_LINEAGE': throw new NoLineageError(message, details);
      case 'AUDIT.INVALID_KEY': throw new LineageKeyError(message, details);
      case 'AUDIT.UNKNOWN_FACT_ROW': throw new UnknownFactRowError(message, details);
      default: throw new MartsUnavailableError(`the projector (${this.baseUrl}) failed to answer: ${message}`);
    }
  }
}
