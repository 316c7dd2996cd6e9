import type { RebuildReport } from '../rebuild/rebuild.js';
import { RebuildInProgressError, RebuildUnavailableError, type AsOfReport, type RebuildRun, type RebuildVerification } from '../rebuild/rebuild-verifier.js';
import { errorBodyOfAnswer, fetchProjector } from './projector-client.js';

/** Rebuild-and-verify forwarded to the projector process, which owns the DuckDB file (PROJECTOR=external). */
export class ProjectorRebuildClient implements RebuildVerification {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  /** Progress is not reported over HTTP: the answer comes when the projector has finished. */
  async run(options: RebuildRun = {}): Promise<RebuildReport | AsOfReport> {
    const response = await fetchProjector(
      this.baseUrl,
      '/internal/v1/rebuild-verify',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.to ? { to: options.to } : {}), timeoutMs: this.timeoutMs },
      (message) => new RebuildUnavailableError(message),
    );
    if (response.ok) return (await response.json()) as RebuildReport | AsOfReport;
    const { code, message } = await errorBodyOfAnswer(response);
    if (code === 'REBUILD.IN_PROGRESS') throw new RebuildInProgressError(message);
    if (code === 'AUDIT.BEFORE_THE_LOG') throw new RebuildUnavailableError(message);
    throw new RebuildUnavailableError(`the projector (${this.baseUrl}) failed the rebuild: ${message}`);
  }
}
