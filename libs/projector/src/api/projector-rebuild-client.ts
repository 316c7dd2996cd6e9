import type { RebuildReport } from '../rebuild/rebuild.js';
import { RebuildInProgressError, RebuildUnavailableError, type RebuildVerification } from '../rebuild/rebuild-verifier.js';

/** Rebuild-and-verify forwarded to the projector process, which owns the DuckDB file (PROJECTOR=external). */
export class ProjectorRebuildClient implements RebuildVerification {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  async run(): Promise<RebuildReport> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/internal/v1/rebuild-verify`, { method: 'POST', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new RebuildUnavailableError(`the projector (${this.baseUrl}) cannot be reached: ${(error as Error).message}`);
    }
    if (response.ok) return (await response.json()) as RebuildReport;
    if (response.status === 409) throw new RebuildInProgressError();
    const body = (await response.json().catch(() => ({}))) as { message?: unknown };
    throw new RebuildUnavailableError(`the projector (${this.baseUrl}) failed the rebuild: ${typeof body.message === 'string' ? body.message : `HTTP ${response.status}`}`);
  }
}
