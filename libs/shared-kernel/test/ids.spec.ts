import { v5 as uuidv5 } from 'uuid';
import { CommandIds, EventIds, OLIST_DW_NAMESPACE, pipelineRunId, rowHash, rowsHash } from '../src/index.js';

// The values below were computed by the recipes as they stood when the events of existing stores were
// written. If one of these fails, a re-post of data loaded before the change would append everything again:
// change the recipe back, never the value.
const RUN = 'f51546b6-d22e-59db-a4dd-a6710a4bcc0f';
const RUN_STREAM = `pipeline_run-${RUN}`;
const HASH = '0123456789abcdef0123456789abcdef';
const BATCH_STREAM = `ingestion_batch-${RUN}.orders.2-501`;

describe('event id recipes (pinned)', () => {
  it.each([
    ['a fact from a source row', EventIds.fromRow('order-e481f51cbdc54678b7cc49136f2d6af7', 'OrderPlaced', HASH), '3c443606-5a21-5109-aff9-42835c51ed70'],
    ['a correction from a source row', EventIds.correctionFromRow('seller-3442f8959a84dea7ee197c632cb2df15', 'SellerDetailsCorrected', HASH, 3n), '5d1763f5-29de-5132-8a66-94df59130482'],
    ['a rejected row', EventIds.rowRejected(RUN_STREAM, 'order_items', 17, HASH), '4cd6f885-8d86-5d6a-a366-304fc8e65e2e'],
    ["an event of the run's own commands", EventIds.pipelineRun(RUN_STREAM, 0n, 'PipelineRunStarted'), '521f901a-c4b2-5a1c-bca4-726da10ff501'],
    ["a batch's outcome", EventIds.batchOutcome(BATCH_STREAM, 'SourceBatchIngested'), 'c6447a21-dd21-5563-8836-ae784f5d4a14'],
  ])('%s', (_what, id, pinned) => expect(id).toBe(pinned));
});

describe('command id recipes (pinned)', () => {
  it.each([
    ['a source row', CommandIds.ingestRow(RUN, 'orders', 2, HASH), 'd0d74cbc-2ad5-57d0-b488-6104d0f84de6'],
    ["a batch's outcome", CommandIds.recordBatchOutcome(BATCH_STREAM), '12863709-55b9-5c83-8be4-adc6ac24a420'],
    ['starting a run', CommandIds.pipelineRun('StartPipelineRun', RUN), '852b3fe2-d54a-55bd-b4e7-9e006621dfc9'],
    ['completing a run', CommandIds.pipelineRun('CompletePipelineRun', RUN), '14d1c271-72ec-5867-88df-ed8bf3c0c4ad'],
    ['failing a run', CommandIds.pipelineRun('FailPipelineRun', RUN), '6b948244-668d-5d35-b4bc-eebf03a8fcc8'],
    ["a run's quality report", CommandIds.recordQualityReport(RUN, 'olist-core@1'), '34e71aa8-fbaf-5b41-a315-14257e330c14'],
    ['a pipeline run (from its files)', pipelineRunId([{ name: 'orders', sha256: 'aaaa' }, { name: 'sellers', sha256: 'bbbb' }]), 'f45b39af-cd7d-5006-86c0-dafacffc7367'],
  ])('%s', (_what, id, pinned) => expect(id).toBe(pinned));
});

describe('the recipes', () => {
  it('are name-based UUIDs (v5) in the olist-dw namespace, of the parts joined by a unit separator', () => {
    expect(EventIds.fromRow('order-o1', 'OrderPlaced', 'abc')).toBe(uuidv5('order-o1\u001fOrderPlaced\u001fabc', OLIST_DW_NAMESPACE));
    // uuid's byte path (hot) gives what its text path gives, for any text.
    expect(EventIds.fromRow('são paulo', 'CustomerRegistered', '1')).toBe(uuidv5('são paulo\u001fCustomerRegistered\u001f1', OLIST_DW_NAMESPACE));
    expect(EventIds.fromRow('order-o1', 'OrderPlaced', 'abc')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('tell apart what must be told apart', () => {
    expect(EventIds.fromRow('order-o1', 'OrderPlaced', 'abc')).not.toBe(EventIds.fromRow('order-o1', 'OrderPlaced', 'abd'));
    expect(EventIds.correctionFromRow('seller-s1', 'SellerDetailsCorrected', HASH, 3n)).not.toBe(EventIds.correctionFromRow('seller-s1', 'SellerDetailsCorrected', HASH, 5n));
    expect(EventIds.rowRejected(RUN_STREAM, 'orders', 2, HASH)).not.toBe(EventIds.rowRejected(RUN_STREAM, 'orders', 3, HASH));
    expect(EventIds.pipelineRun(RUN_STREAM, 0n, 'PipelineRunStarted')).not.toBe(EventIds.pipelineRun(RUN_STREAM, 7n, 'PipelineRunStarted'));
  });

  it('hash a raw row by its values in header order', () => {
    expect(rowHash(['a', 'b'])).toBe('f04cdced9736a69da6103f08a4daaf8c');
    expect(rowHash(['a', 'b'])).not.toBe(rowHash(['b', 'a']));
    expect(rowHash(['a,b'])).not.toBe(rowHash(['a', 'b']));
  });

  it('hash the rows one event records from their hashes, in order', () => {
    expect(rowsHash([rowHash(['a', 'b']), rowHash(['c', 'd'])])).toBe('35b641bbc9b4854c216bbc53aff0450f');
    expect(rowsHash(['1', '2'])).not.toBe(rowsHash(['2', '1']));
  });
});
