import { StarSchemaProjection } from '@olist/analytics';
import { loadRuleSet } from '@olist/data-quality';
import { DuckDbDatabase, isStorageFailure } from '@olist/duckdb';
import { PostgresEventStore, UpcastingEventStore, type EventStore } from '@olist/event-store';
import { pipelineRunStreamId } from '@olist/etl-orchestration';
import { executePipelineRunCommand } from '@olist/command-side';
import { EVENT_SCHEMAS } from '@olist/event-catalog';
import { ProjectorRunner } from '@olist/projector';
import { createPgliteClient, type SqlClient } from '@olist/postgres';
import { QualityGate, type QualityGateReport } from '../src/index.js';

const RUN = '0c7e8a5d-2f4b-4c6a-9d8e-1f2a3b4c5d6e';

/** The QualityGate against a real event store (PGlite) and star schema (DuckDB), without the Nest app around it. */
describe('QualityGate', () => {
  let sql: SqlClient;
  let store: EventStore;
  let duckdb: DuckDbDatabase;
  let runner: ProjectorRunner;
  const reports: QualityGateReport[] = [];
  const errors: Error[] = [];
  let gate: QualityGate;

  const run = (command: Parameters<typeof executePipelineRunCommand>[1]) => executePipelineRunCommand(store, command, 'test', `cmd-${command.type}`);
  const types = async () => (await store.readStream(pipelineRunStreamId(RUN))).map((e) => e.type);

  beforeAll(async () => {
    sql = await createPgliteClient();
    const postgres = new PostgresEventStore(sql);
    await postgres.migrate();
    store = new UpcastingEventStore(postgres, EVENT_SCHEMAS);
    duckdb = await DuckDbDatabase.open();
    runner = new ProjectorRunner(store, new StarSchemaProjection(duckdb));
    await runner.start();
    gate = new QualityGate(store, duckdb, runner, await loadRuleSet(), {
      onReport: (r) => reports.push(r),
      onError: (_runId, e) => errors.push(e),
    });
    await run({ type: 'StartPipelineRun', runId: RUN, source: 'test', startedAt: '2026-11-22T00:00:00.000Z' });
  });

  afterAll(async () => {
    await gate?.stop();
    await runner?.stop();
    duckdb?.close();
    await store?.close?.();
    await sql?.close();
  });

  it('does not check a run that is still loading', async () => {
    gate.recover(RUN);
    await gate.idle();
    expect([reports, errors]).toEqual([[], []]);
    expect(await types()).toEqual(['PipelineRunStarted']);
  });

  it('checks a loaded run found at start-up once the star schema has caught up, and ends it', async () => {
    await run({ type: 'CompletePipelineRun', runId: RUN, files: [], completedAt: '2026-11-22T00:01:00.000Z' });
    gate.recover(RUN);
    await gate.idle();
    expect(errors).toEqual([]);
    expect(reports).toHaveLength(1);
    // An empty star schema: the FRESHNESS rules fail (no data at all), everything else holds.
    const failed = reports[0]!.checks.filter((c) => !c.passed).map((c) => c.ruleId);
    expect(failed).toEqual(['fact_order_items.freshness', 'fact_payments.freshness', 'fact_reviews.freshness', 'fact_deliveries.freshness']);
    const stream = await types();
    expect(stream.slice(0, 2)).toEqual(['PipelineRunStarted', 'PipelineRunLoaded']);
    expect(stream.filter((t) => t === 'QualityCheckRecorded')).toHaveLength(reports[0]!.checks.length);
    expect(stream.at(-1)).toBe('PipelineRunCompleted'); // 4 failed WARNING checks (weight 8 of 108): score 92.59, WARN
    expect((await store.readStream(pipelineRunStreamId(RUN))).at(-1)!.data).toMatchObject({ outcome: 'WARN', qualityScore: 92.59 });
  });

  it('records one report per loading: a second notice (a replay, another projector) appends nothing', async () => {
    const before = await types();
    gate.notice(await store.readStream(pipelineRunStreamId(RUN)));
    await gate.idle();
    expect(await types()).toEqual(before);
    expect(reports).toHaveLength(1);
  });

  it('tries a check that could not read the DuckDB file again once the star schema has caught up', async () => {
    const other = '1d8f9b6e-3a5c-4d7b-8e9f-2a3b4c5d6e7f';
    await executePipelineRunCommand(store, { type: 'StartPipelineRun', runId: other, source: 'test', startedAt: '2026-11-22T00:02:00.000Z' }, 'test', 'cmd-start-2');
    await executePipelineRunCommand(store, { type: 'CompletePipelineRun', runId: other, files: [], completedAt: '2026-11-22T00:03:00.000Z' }, 'test', 'cmd-complete-2');
    let connects = 0;
    const flaky = { connect: () => (++connects === 1 ? Promise.reject(new Error('IO Error: Database "olist" has been invalidated because checkpointing failed')) : duckdb.connect()) } as unknown as DuckDbDatabase;
    const retried: Array<number | undefined> = [];
    const done: QualityGateReport[] = [];
    const second = new QualityGate(store, flaky, runner, await loadRuleSet(), { retryable: isStorageFailure, retryDelayMs: 10, onReport: (r) => done.push(r), onError: (_r, _e, retryInMs) => retried.push(retryInMs) });
    try {
      second.notice(await store.readStream(pipelineRunStreamId(other)));
      for (let i = 0; i < 500 && done.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(retried).toEqual([10]);
      expect(done.map((r) => r.runId)).toEqual([other]);
      expect((await store.readStream(pipelineRunStreamId(other))).at(-1)!.type).toBe('PipelineRunCompleted');
    } finally {
      await second.stop();
    }
  });
});
