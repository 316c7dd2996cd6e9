import { FAIL_BELOW, qualityOutcome, qualityScore, type QualityCheckResult } from '@olist/data-quality';
import { accepted, ApplicationError, rejected, streamId, type Decider } from '@olist/shared-kernel';
import type { FileIngestionStats, PipelineRunEvent } from '../events.js';

export interface StartPipelineRun {
  readonly type: 'StartPipelineRun';
  readonly runId: string;
  readonly source: string;
  readonly startedAt: string;
}
export interface CompletePipelineRun {
  readonly type: 'CompletePipelineRun';
  readonly runId: string;
  readonly files: ReadonlyArray<FileIngestionStats>;
  readonly completedAt: string;
}
export interface FailPipelineRun {
  readonly type: 'FailPipelineRun';
  readonly runId: string;
  readonly error: string;
  readonly failedAt: string;
}
/** A source row of the run that could not become an event. */
export interface RecordRowRejection {
  readonly type: 'RecordRowRejection';
  readonly runId: string;
  readonly file: string;
  readonly line: number;
  readonly raw: Readonly<Record<string, string>>;
  readonly reasons: ReadonlyArray<string>;
  /** When the batch holding the row was received. */
  readonly rejectedAt: string;
}
/** The results of the quality rules, run once the star schema had caught up with the loaded run. */
export interface RecordQualityReport {
  readonly type: 'RecordQualityReport';
  readonly runId: string;
  readonly ruleSet: string;
  readonly checks: ReadonlyArray<QualityCheckResult>;
  readonly checkedAt: string;
}
export type PipelineRunCommand = StartPipelineRun | CompletePipelineRun | FailPipelineRun | RecordRowRejection | RecordQualityReport;

/** running → loaded (every file posted) → completed (SUCCESS / WARN) | failed (quality below the mark, or given up). */
export type PipelineRunStatus = 'absent' | 'running' | 'loaded' | 'completed' | 'failed';
export interface PipelineRunState {
  readonly status: PipelineRunStatus;
}

export const pipelineRunStreamId = (runId: string): string => streamId('pipeline_run', runId);

export const pipelineRunDecider: Decider<PipelineRunCommand, PipelineRunState, PipelineRunEvent> = {
  initialState: () => ({ status: 'absent' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'StartPipelineRun':
        if (state.status === 'absent') {
          return accepted({ type: 'PipelineRunStarted', data: { runId: command.runId, source: command.source, startedAt: command.startedAt } });
        }
        return state.status === 'failed'
          ? accepted({ type: 'PipelineRunResumed', data: { runId: command.runId, resumedAt: command.startedAt } })
          : accepted();
      case 'CompletePipelineRun': {
        if (state.status === 'absent') return rejected(`unknown pipeline run ${command.runId}`);
        if (state.status !== 'running') return accepted();
        const { runId } = command;
        return accepted(
          ...command.files.map((f): PipelineRunEvent => ({ type: 'SourceFileIngested', data: { runId, ...f } })),
          { type: 'PipelineRunLoaded', data: { runId, loadedAt: command.completedAt } },
        );
      }
      case 'RecordQualityReport': {
        if (state.status === 'absent') return rejected(`unknown pipeline run ${command.runId}`);
        if (state.status === 'running') return rejected(`pipeline run ${command.runId} is still loading: its quality is checked once every file is posted`);
        if (state.status !== 'loaded') return accepted(); // already reported (a second checker, or a replay)
        const { runId, ruleSet, checkedAt } = command;
        const score = qualityScore(command.checks);
        const outcome = qualityOutcome(score);
        const checks = command.checks.map((check): PipelineRunEvent => ({ type: 'QualityCheckRecorded', data: { ...check, runId, ruleSet, checkedAt } }));
        return accepted(
          ...checks,
          outcome === 'FAILED'
            ? { type: 'PipelineRunFailed', data: { runId, failedAt: checkedAt, error: `quality score ${score} is below ${FAIL_BELOW}`, qualityScore: score } }
            : { type: 'PipelineRunCompleted', data: { runId, completedAt: checkedAt, outcome, qualityScore: score } },
        );
      }
      case 'FailPipelineRun':
        if (state.status === 'absent') return rejected(`unknown pipeline run ${command.runId}`);
        return state.status === 'running' || state.status === 'loaded'
          ? accepted({ type: 'PipelineRunFailed', data: { runId: command.runId, failedAt: command.failedAt, error: command.error } })
          : accepted();
      case 'RecordRowRejection':
        return rowRejectionDecider.decide(command, { started: state.status !== 'absent' });
      default: {
        const unhandled: never = command;
        throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
      }
    }
  },
  occurredAt: (_event, command) => commandTime(command),
  evolve: (state, event) => {
    switch (event.type) {
      case 'PipelineRunStarted':
      case 'PipelineRunResumed':
        return { status: 'running' };
      case 'PipelineRunLoaded':
        return { status: 'loaded' };
      case 'PipelineRunCompleted':
        return { status: 'completed' };
      case 'PipelineRunFailed':
        return { status: 'failed' };
      default:
        return state;
    }
  },
};

/** A pipeline-run command happens at the time it states (the loader's and the quality gate's commands are the run's business events). */
const commandTime = (command: PipelineRunCommand): string => {
  switch (command.type) {
    case 'StartPipelineRun':
      return command.startedAt;
    case 'CompletePipelineRun':
      return command.completedAt;
    case 'FailPipelineRun':
      return command.failedAt;
    case 'RecordRowRejection':
      return command.rejectedAt;
    case 'RecordQualityReport':
      return command.checkedAt;
  }
};

/** Whether the run's stream has begun: its first event (always PipelineRunStarted) tells, so the handler folds only that one. */
export interface RunStartedState {
  readonly started: boolean;
}

/**
 * Recording a row's rejection needs only the run to exist. Its own decider, so that the ingestion of a batch
 * decides it on state folded from the run's stream without reading the stream's every earlier rejection.
 */
export const rowRejectionDecider: Decider<RecordRowRejection, RunStartedState, PipelineRunEvent> = {
  initialState: () => ({ started: false }),
  decide: (command, state) => {
    if (!state.started) return rejected(`unknown pipeline run ${command.runId}`);
    const { type: _type, rejectedAt: _rejectedAt, ...rejection } = command;
    return accepted({ type: 'RowRejected', data: rejection });
  },
  evolve: (state, event) => (event.type === 'PipelineRunStarted' ? { started: true } : state),
  occurredAt: (_event, command) => command.rejectedAt,
};

/** A command names a pipeline run that was never started. */
export class UnknownPipelineRunError extends ApplicationError {
  readonly code = 'INGESTION.UNKNOWN_RUN';
  readonly kind = 'not_found';

  constructor(readonly runId: string, message = `pipeline run ${runId} was not started: POST /v1/pipeline-runs first`) {
    super(message, { runId });
  }
}
