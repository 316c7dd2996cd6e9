import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import { pipelineRunDecider, type FileIngestionStats, type PipelineRunEvent } from '../src/index.js';

const spec = deciderSpecification(pipelineRunDecider);
const runId = 'r1';
const started: PipelineRunEvent = { type: 'PipelineRunStarted', data: { runId, source: '/data', startedAt: '2026-11-22T00:00:00.000Z' } };
const stats: FileIngestionStats = { file: 'orders', rowsRead: 3, accepted: 2, duplicates: 0, rejected: 1, eventsAppended: 9 };
const completed: PipelineRunEvent = { type: 'PipelineRunCompleted', data: { runId, completedAt: '2026-11-22T00:01:00.000Z' } };

describe('PipelineRun (ETL orchestration)', () => {
  it('starts', () => spec.given().when({ type: 'StartPipelineRun', runId, source: '/data', startedAt: '2026-11-22T00:00:00.000Z' }).then(started));
  it('is rejoined, not restarted', () =>
    spec.given(started).when({ type: 'StartPipelineRun', runId, source: '/data', startedAt: '2026-11-23T00:00:00.000Z' }).thenNothing());
  it('completes with one SourceFileIngested per file', () =>
    spec.given(started).when({ type: 'CompletePipelineRun', runId, files: [stats], completedAt: '2026-11-22T00:01:00.000Z' })
      .then({ type: 'SourceFileIngested', data: { runId, ...stats } }, completed));
  it('completes once', () =>
    spec.given(started, completed).when({ type: 'CompletePipelineRun', runId, files: [stats], completedAt: '2026-11-22T00:02:00.000Z' }).thenNothing());
  it('cannot complete a run that never started', () =>
    spec.given().when({ type: 'CompletePipelineRun', runId, files: [], completedAt: '2026-11-22T00:01:00.000Z' }).thenRejected('unknown pipeline run r1'));
  it('fails a running run', () =>
    spec.given(started).when({ type: 'FailPipelineRun', runId, error: 'aborted', failedAt: '2026-11-22T00:01:00.000Z' })
      .then({ type: 'PipelineRunFailed', data: { runId, failedAt: '2026-11-22T00:01:00.000Z', error: 'aborted' } }));
  it('does not fail a completed run', () =>
    spec.given(started, completed).when({ type: 'FailPipelineRun', runId, error: 'late', failedAt: '2026-11-22T00:05:00.000Z' }).thenNothing());
  it('resumes a failed run when it is started again', () =>
    spec.given(started, { type: 'PipelineRunFailed', data: { runId, failedAt: '2026-11-22T00:01:00.000Z', error: 'aborted' } })
      .when({ type: 'StartPipelineRun', runId, source: '/data', startedAt: '2026-11-22T01:00:00.000Z' })
      .then({ type: 'PipelineRunResumed', data: { runId, resumedAt: '2026-11-22T01:00:00.000Z' } }));
  it('records a rejected row of a known run', () =>
    spec.given(started).when({ type: 'RecordRowRejection', runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a', 'b'] })
      .then({ type: 'RowRejected', data: { runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a', 'b'] } }));
  it('cannot record a rejection for an unknown run', () =>
    spec.given().when({ type: 'RecordRowRejection', runId, file: 'orders', line: 7, raw: {}, reasons: ['a'] }).thenRejected('unknown pipeline run r1'));
});
