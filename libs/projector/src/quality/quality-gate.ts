import type { ProjectorRunner } from '../runtime/projector-runner.js';
import { runQualityChecks, type QualityCheckResult, type RuleSet } from '@olist/data-quality';
import type { DuckDbDatabase } from '@olist/duckdb';
import type { EventStore, RecordedEvent } from '@olist/event-store';
import type { PipelineRunLoaded } from '@olist/etl-orchestration';
import { executePipelineRunCommand, pipelineRunState } from '@olist/command-side';
import { CommandIds } from '@olist/shared-kernel';

export interface QualityGateReport {
  readonly runId: string;
  readonly checks: ReadonlyArray<QualityCheckResult>;
  /** The events the report appended (none when another checker got there first). */
  readonly appended: ReadonlyArray<string>;
}

export interface QualityGateOptions {
  readonly onReport?: (report: QualityGateReport) => void;
  /** A check failed to run; `retryInMs` is set when it is tried again (see `retryable`). */
  readonly onError?: (runId: string, error: Error, retryInMs: number | undefined) => void;
  /** Failures after which the check is tried again once the star schema has caught up (e.g. the DuckDB file could not be read or written). */
  readonly retryable?: (error: Error) => boolean;
  /** Default 5 s. */
  readonly retryDelayMs?: number;
}

export const QUALITY_GATE_ACTOR = 'system:quality-gate';

/**
 * Process manager (spec §9): once the star schema has caught up with a loaded pipeline run, runs the rule
 * set against DuckDB and records the report through the PipelineRun aggregate, which completes the run
 * (SUCCESS / WARN) or fails it. Lives where the DuckDB file is written: the projector. Runs one check at a
 * time, off the projector's path (the projector keeps projecting while the rules read a snapshot).
 */
export class QualityGate {
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  private stopped = false;
  private signalStop!: () => void;
  private readonly stopping = new Promise<void>((resolve) => {
    this.signalStop = resolve;
  });

  constructor(
    private readonly store: EventStore,
    private readonly duckdb: DuckDbDatabase,
    private readonly starSchema: ProjectorRunner,
    private readonly ruleSet: RuleSet,
    private readonly options: QualityGateOptions = {},
  ) {}

  /**
   * Called with each batch the star schema applied: a run loaded in this batch is checked now, since
   * every event before its PipelineRunLoaded is in the star schema.
   */
  notice(events: ReadonlyArray<RecordedEvent>): void {
    for (const e of events) {
      if (e.type === 'PipelineRunLoaded') this.schedule((e.data as PipelineRunLoaded['data']).runId, false);
    }
  }

  /** Checks a run found loaded some other way (at start-up): first waits for the star schema to catch up. */
  recover(runId: string): void {
    this.schedule(runId, true);
  }

  /** Resolves when every scheduled check has ended. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Ends after the check in flight; a check still waiting for the star schema to catch up is dropped (it is recovered at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.queue;
  }

  private schedule(runId: string, catchUpFirst: boolean): void {
    if (this.stopped || this.pending.has(runId)) return;
    this.pending.add(runId);
    this.queue = this.queue.then(async () => {
      try {
        if (this.stopped) return;
        const report = await this.check(runId, catchUpFirst);
        if (report) this.options.onReport?.(report);
      } catch (error) {
        const retryInMs = !this.stopped && this.options.retryable?.(error as Error) ? (this.options.retryDelayMs ?? 5_000) : undefined;
        this.options.onError?.(runId, error as Error, retryInMs);
        if (retryInMs !== undefined) setTimeout(() => this.schedule(runId, true), retryInMs).unref();
      } finally {
        this.pending.delete(runId);
      }
    });
  }

  private async check(runId: string, catchUpFirst: boolean): Promise<QualityGateReport | undefined> {
    // Replays and runs already reported need no check.
    if ((await pipelineRunState(this.store, runId)).status !== 'loaded') return undefined;
    if (catchUpFirst) {
      await Promise.race([this.starSchema.waitUntilCaughtUp(), this.stopping]);
      if (this.stopped) return undefined;
    }
    const client = await this.duckdb.connect();
    let checks: QualityCheckResult[];
    try {
      checks = await runQualityChecks(client, this.ruleSet);
    } finally {
      client.close();
    }
    const ruleSet = `${this.ruleSet.name}@${this.ruleSet.version}`;
    const { appended } = await executePipelineRunCommand(
      this.store,
      { type: 'RecordQualityReport', runId, ruleSet, checks, checkedAt: new Date().toISOString() },
      QUALITY_GATE_ACTOR,
      CommandIds.recordQualityReport(runId, ruleSet),
    );
    return { runId, checks, appended: appended.map((e) => e.type) };
  }
}
