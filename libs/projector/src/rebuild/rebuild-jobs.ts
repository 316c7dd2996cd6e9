import { randomUUID } from 'node:crypto';
import { ApplicationError } from '@olist/shared-kernel';
import type { RebuildReport } from './rebuild.js';
import { RebuildInProgressError, type AsOfReport, type RebuildVerification } from './rebuild-verifier.js';

export class UnknownRebuildJobError extends ApplicationError {
  readonly code = 'REBUILD.UNKNOWN_JOB';
  readonly kind = 'not_found';
}

export interface RebuildJobView {
  readonly jobId: string;
  readonly status: 'running' | 'succeeded' | 'failed';
  /** Only up to this log position (as-of), else a rebuild-and-verify against the live read models. */
  readonly to: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** Events replayed so far, by projection, and the rate (the projector process reports it; over HTTP only the end is known). */
  readonly progress: { readonly projection: string | null; readonly events: number; readonly eventsPerSecond: number | null };
  readonly result: RebuildReport | AsOfReport | null;
  readonly error: string | null;
}

/**
 * Rebuild-and-verify as a job (`POST /v1/admin/rebuilds`): started at once, followed by id, one at a time
 * (a second start while one runs is refused with the running job's id). The last jobs are kept in memory.
 */
export class RebuildJobs {
  private readonly jobs = new Map<string, RebuildJobView>();
  private running: string | undefined;

  constructor(
    private readonly verifier: RebuildVerification,
    private readonly keep = 20,
  ) {}

  start(to?: string): RebuildJobView {
    if (this.running) throw new RebuildInProgressError(`rebuild job ${this.running} is running; follow it at /v1/admin/rebuilds/${this.running}`, { jobId: this.running });
    const jobId = randomUUID();
    const started = performance.now();
    let job: RebuildJobView = {
      jobId, status: 'running', to: to ?? null, startedAt: new Date().toISOString(), finishedAt: null,
      progress: { projection: null, events: 0, eventsPerSecond: null }, result: null, error: null,
    };
    const update = (change: Partial<RebuildJobView>) => this.jobs.set(jobId, (job = { ...job, ...change }));
    update({});
    this.running = jobId;
    void this.verifier
      .run({
        ...(to ? { to } : {}),
        onProgress: (projection, events) => update({ progress: { projection, events, eventsPerSecond: Math.round(events / ((performance.now() - started) / 1000)) } }),
      })
      .then(
        (result) => update({ status: 'succeeded', result, finishedAt: new Date().toISOString() }),
        (error: Error) => update({ status: 'failed', error: error.message, finishedAt: new Date().toISOString() }),
      )
      .finally(() => {
        this.running = undefined;
        while (this.jobs.size > this.keep) this.jobs.delete(this.jobs.keys().next().value!);
      });
    return job;
  }

  get(jobId: string): RebuildJobView {
    const job = this.jobs.get(jobId);
    if (!job) throw new UnknownRebuildJobError(`no rebuild job ${jobId} (jobs are kept in memory: the last ${this.keep})`, { jobId });
    return job;
  }
}
