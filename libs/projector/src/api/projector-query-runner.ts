import { queryErrorOf, QueryUnavailableError, type AdHocQuery, type QueryResult, type QueryRunner } from '@olist/analytics';
import { errorBodyOfAnswer, fetchProjector } from './projector-client.js';

/**
 * The QueryRunner port over HTTP, for an API whose projector runs as its own process (PROJECTOR=external):
 * that process owns the DuckDB file and its query snapshots, so it answers (InternalQueryController). Its
 * errors come back as the same typed errors, from the body's `code`; an unreachable or failing projector is
 * QUERY.UNAVAILABLE (503).
 */
export class ProjectorQueryRunner implements QueryRunner {
  constructor(
    private readonly baseUrl: string,
    /** Longer than the projector's own bound on a query (its wait for a slot, the snapshot copy, the query's timeout). */
    private readonly timeoutMs: number,
  ) {}

  async run(query: AdHocQuery): Promise<QueryResult> {
    const response = await fetchProjector(
      this.baseUrl,
      '/internal/v1/query',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: query.sql, limit: query.limit }),
        timeoutMs: this.timeoutMs,
      },
      (message) => new QueryUnavailableError(message),
    );
    if (response.ok) return (await response.json()) as QueryResult;
    const body = await errorBodyOfAnswer(response);
    throw queryErrorOf(body) ?? new QueryUnavailableError(`the projector (${this.baseUrl}) failed to answer the query: ${body.message}`);
  }
}
