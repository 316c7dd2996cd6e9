import { deciderSpecification } from '../../shared-kernel/test/decider-specification.js';
import type { QualityCheckResult } from '@olist/data-quality';
import { EventSchemaRegistry } from '@olist/event-store';
import {
  ETL_ORCHESTRATION_UPCASTERS, ingestionBatchDecider, ingestionBatchStreamId, pipelineRunDecider, rowRejectionDecider, type FileIngestionStats, type PipelineRunEvent,
} from '../src/index.js';

const spec = deciderSpecification(pipelineRunDecider);
const runId = 'r1';
const started: PipelineRunEvent = { type: 'PipelineRunStarted', data: { runId, source: '/data', startedAt: '2026-11-22T00:00:00.000Z' } };
const stats: FileIngestionStats = { file: 'orders', rowsRead: 3, accepted: 2, duplicates: 0, rejected: 1, eventsAppended: 9 };
const loaded: PipelineRunEvent = { type: 'PipelineRunLoaded', data: { runId, loadedAt: '2026-11-22T00:01:00.000Z' } };
const completed: PipelineRunEvent = { type: 'PipelineRunCompleted', data: { runId, completedAt: '2026-11-22T00:02:00.000Z', outcome: 'SUCCESS', qualityScore: 100 } };
const checkedAt = '2026-11-22T00:02:00.000Z';
const check = (ruleId: string, severity: QualityCheckResult['severity'], rowsFailed: number): QualityCheckResult => ({
  ruleId, ruleType: 'NOT_NULL', severity, table: 'core.fact_orders', description: ruleId, threshold: 0,
  rowsChecked: 100, rowsFailed, passed: rowsFailed === 0, samples: rowsFailed ? [{ order_id: 'o1', value: null }] : [],
});
const report = (...checks: QualityCheckResult[]) => ({ type: 'RecordQualityReport' as const, runId, ruleSet: 'rules@1', checks, checkedAt });
const recorded = (c: QualityCheckResult): PipelineRunEvent => ({ type: 'QualityCheckRecorded', data: { ...c, runId, ruleSet: 'rules@1', checkedAt } });

describe('PipelineRun (ETL orchestration)', () => {
  it('starts', () => spec.given().when({ type: 'StartPipelineRun', runId, source: '/data', startedAt: '2026-11-22T00:00:00.000Z' }).then(started));
  it('is rejoined, not restarted', () =>
    spec.given(started).when({ type: 'StartPipelineRun', runId, source: '/data', startedAt: '2026-11-23T00:00:00.000Z' }).thenNothing());
  it('is loaded with one SourceFileIngested per file', () =>
    spec.given(started).when({ type: 'CompletePipelineRun', runId, files: [stats], completedAt: '2026-11-22T00:01:00.000Z' })
      .then({ type: 'SourceFileIngested', data: { runId, ...stats } }, loaded));
  it('is loaded once', () =>
    spec.given(started, loaded).when({ type: 'CompletePipelineRun', runId, files: [stats], completedAt: '2026-11-22T00:02:00.000Z' }).thenNothing());
  it('completes with SUCCESS when every quality check passes', () => {
    const a = check('a', 'CRITICAL', 0);
    spec.given(started, loaded).when(report(a)).then(recorded(a), completed);
  });
  it('completes with WARN when the weighted score is below 95', () => {
    // 18 passed and 2 failed CRITICAL checks (weight 3 each): 54 / 60 = 90.
    const passed = Array.from({ length: 18 }, (_, i) => check(`p${i}`, 'CRITICAL', 0));
    const failed = [check('f1', 'CRITICAL', 3), check('f2', 'CRITICAL', 1)];
    spec.given(started, loaded).when(report(...passed, ...failed)).then(
      ...[...passed, ...failed].map(recorded),
      { type: 'PipelineRunCompleted', data: { runId, completedAt: checkedAt, outcome: 'WARN', qualityScore: 90 } },
    );
  });
  it('fails the run when the score is below 80, naming the score', () => {
    const checks = [check('a', 'CRITICAL', 0), check('b', 'WARNING', 2), check('c', 'INFO', 0)];
    spec.given(started, loaded).when(report(...checks)).then(
      ...checks.map(recorded),
      { type: 'PipelineRunFailed', data: { runId, failedAt: checkedAt, error: 'quality score 66.67 is below 80', qualityScore: 66.67 } },
    );
  });
  it('records one quality report per loading', () => spec.given(started, loaded, completed).when(report(check('a', 'CRITICAL', 0))).thenNothing());
  it('does not check the quality of a run still loading', () =>
    spec.given(started).when(report(check('a', 'CRITICAL', 0))).thenRejected(/is still loading/));
  it('cannot report on a run that never started', () => spec.given().when(report()).thenRejected('unknown pipeline run r1'));
  it('fails a loaded run (its checks never came)', () =>
    spec.given(started, loaded).when({ type: 'FailPipelineRun', runId, error: 'aborted', failedAt: '2026-11-22T00:05:00.000Z' })
      .then({ type: 'PipelineRunFailed', data: { runId, failedAt: '2026-11-22T00:05:00.000Z', error: 'aborted' } }));
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
    spec.given(started).when({ type: 'RecordRowRejection', runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a', 'b'], rejectedAt: '2026-11-22T00:00:30.000Z' })
      .then({ type: 'RowRejected', data: { runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a', 'b'] } }));
  it('cannot record a rejection for an unknown run', () =>
    spec.given().when({ type: 'RecordRowRejection', runId, file: 'orders', line: 7, raw: {}, reasons: ['a'], rejectedAt: '2026-11-22T00:00:30.000Z' }).thenRejected('unknown pipeline run r1'));
});

describe('RowRejection (ETL orchestration)', () => {
  const rejection = { type: 'RecordRowRejection' as const, runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a'], rejectedAt: '2026-11-22T00:00:30.000Z' };
  const rejectionSpec = deciderSpecification(rowRejectionDecider);
  it('records a rejection once the run has started', () =>
    rejectionSpec.given(started).when(rejection).then({ type: 'RowRejected', data: { runId, file: 'orders', line: 7, raw: { order_id: 'x' }, reasons: ['a'] } }));
  it('needs only the run\'s first event: later ones change nothing', () =>
    expect(rowRejectionDecider.evolve(rowRejectionDecider.evolve(rowRejectionDecider.initialState(), started), loaded)).toEqual({ started: true }));
  it('refuses a rejection for a run never started', () => rejectionSpec.given().when(rejection).thenRejected('unknown pipeline run r1'));
  it('dates the rejection by the arrival of its batch', () =>
    expect(rowRejectionDecider.occurredAt({ type: 'RowRejected', data: { ...rejection } } as never, rejection, { started: true })).toBe('2026-11-22T00:00:30.000Z'));
  it('dates the run\'s events by its commands', () => {
    expect(pipelineRunDecider.occurredAt(loaded, { type: 'CompletePipelineRun', runId, files: [stats], completedAt: '2026-11-22T00:01:00.000Z' }, { status: 'running' })).toBe('2026-11-22T00:01:00.000Z');
    expect(pipelineRunDecider.occurredAt(completed, report(), { status: 'loaded' })).toBe(checkedAt);
  });
});

describe('PipelineRunCompleted schema versions', () => {
  it('reads a v1 event (before quality checks) as completed with SUCCESS and no score', () => {
    const schemas = new EventSchemaRegistry(ETL_ORCHESTRATION_UPCASTERS);
    expect(schemas.currentVersion('PipelineRunCompleted')).toBe(2);
    const v1 = {
      id: 'e1', type: 'PipelineRunCompleted', streamId: 'pipeline_run-r1', revision: 3n, data: { runId, completedAt: '2026-01-01T00:00:00.000Z' },
      metadata: { schemaVersion: 1 }, recordedAt: new Date(), position: undefined as never,
    };
    expect(schemas.upcast(v1 as never)).toMatchObject({
      data: { runId, completedAt: '2026-01-01T00:00:00.000Z', outcome: 'SUCCESS', qualityScore: null },
      metadata: { schemaVersion: 2, storedSchemaVersion: 1 },
    });
  });
});

describe('IngestionBatch (ETL orchestration)', () => {
  const batchSpec = deciderSpecification(ingestionBatchDecider);
  const outcome = { runId, file: 'order_items', fromLine: 2, toLine: 501, rows: 500, accepted: 497, duplicates: 1, rejected: 2, eventsAppended: 497, rejectionReasons: { 'unknown order': 2 } };
  it('records the first outcome of a batch', () =>
    batchSpec.given().when({ type: 'RecordBatchOutcome', receivedAt: '2026-11-22T00:00:30.000Z', ...outcome }).then({ type: 'SourceBatchIngested', data: outcome }));
  it('keeps it when the same lines are posted again', () =>
    batchSpec.given({ type: 'SourceBatchIngested', data: outcome }).when({ type: 'RecordBatchOutcome', receivedAt: '2026-11-22T00:02:00.000Z', ...outcome, accepted: 0, duplicates: 498, eventsAppended: 0 }).thenNothing());
  it('has one stream per run, file and lines', () =>
    expect(ingestionBatchStreamId(runId, 'order_items', 2, 501)).toBe('ingestion_batch-r1.order_items.2-501'));
});
