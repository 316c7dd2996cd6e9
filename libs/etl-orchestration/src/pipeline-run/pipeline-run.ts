import { accepted, rejected, streamId, type Decider } from '@olist/shared-kernel';
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
}
export type PipelineRunCommand = StartPipelineRun | CompletePipelineRun | FailPipelineRun | RecordRowRejection;

export type PipelineRunStatus = 'absent' | 'running' | 'completed' | 'failed';
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
          { type: 'PipelineRunCompleted', data: { runId, completedAt: command.completedAt } },
        );
      }
      case 'FailPipelineRun':
        if (state.status === 'absent') return rejected(`unknown pipeline run ${command.runId}`);
        return state.status === 'running'
          ? accepted({ type: 'PipelineRunFailed', data: { runId: command.runId, failedAt: command.failedAt, error: command.error } })
          : accepted();
      case 'RecordRowRejection': {
        if (state.status === 'absent') return rejected(`unknown pipeline run ${command.runId}`);
        const { type: _type, ...rejection } = command;
        return accepted({ type: 'RowRejected', data: rejection });
      }
      default: {
        const unhandled: never = command;
        throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
      }
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'PipelineRunStarted':
      case 'PipelineRunResumed':
        return { status: 'running' };
      case 'PipelineRunCompleted':
        return { status: 'completed' };
      case 'PipelineRunFailed':
        return { status: 'failed' };
      default:
        return state;
    }
  },
};
