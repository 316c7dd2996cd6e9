import type { RebuildReport } from '../rebuild/rebuild.js';
import { RebuildInProgressError, RebuildUnavailableError, type RebuildVerification } from '../rebuild/rebuild-verifier.js';
import { errorBodyOfAnswer, fetchProjector } from './projector-client.js';

/** Rebuild-and-verify forwarded to the projector process, which owns the DuckDB file (PROJECTOR=external). */
export class ProjectorRebuildClient implements RebuildVerification {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  async run(): Promise<RebuildReport> {
    const response = await fetchProjector(
      this.baseUrl,
      '/internal/v1/rebuild-verify',
      { method: 'POST', timeoutMs: this.timeoutMs },
      (message) => new RebuildUnavailableError(message),
    );
    if (response.ok) return (await response.json()) as RebuildReport;
    const { code, message } = await errorBodyOfAnswer(response);
    if (code === 'REBUILD.IN_PROGRESS') throw new RebuildInProgressError(message);
    throw new RebuildUnavailableError(`the projector (${this.baseUrl}) failed the rebuild: ${message}`);
  }
}
