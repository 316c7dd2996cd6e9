import { createHash } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/** Namespace for olist-dw's name-based (v5) UUIDs. Never change it: event ids depend on it. */
export const OLIST_DW_NAMESPACE = '6f1c2b9e-3d4a-5e6f-8a7b-9c0d1e2f3a4b';

const NAMESPACE_BYTES = parseUuid(OLIST_DW_NAMESPACE);

/** A deterministic UUID (v5) derived from the given parts. Bytes in, so uuid skips its slow string paths (hot path). */
const deterministicId = (...parts: ReadonlyArray<string | number>): string =>
  uuidv5(Buffer.from(parts.join('\u001f'), 'utf8'), NAMESPACE_BYTES);

/** SHA-256 (hex, first 32 chars) of a raw source row, in header order. */
export const rowHash = (values: ReadonlyArray<string>): string =>
  createHash('sha256').update(values.join('\u001f')).digest('hex').slice(0, 32);

/** The hash of several rows recorded by one event: SHA-256 (hex, first 32 chars) of their row hashes in order. */
export const rowsHash = (rowHashes: ReadonlyArray<string>): string => rowHash(rowHashes);

/**
 * Every event id of the project. Ids are deterministic, so posting the same data again appends nothing: the
 * store recognises the ids it already holds. These recipes are that idempotency — a changed recipe makes a
 * re-post append everything again, so `test/ids.spec.ts` pins each one.
 */
export const EventIds = {
  /** A fact decided from a source row: its stream, type and the row's content. */
  fromRow: (streamId: string, type: string, rowHash: string): string => deterministicId(streamId, type, rowHash),
  /**
   * A correction (`…Corrected`) decided from a source row: also the revision it takes, so a row corrected
   * back and forth (A, B, A, B) is a new correction each time, not the replay of an earlier one.
   */
  correctionFromRow: (streamId: string, type: string, rowHash: string, revision: bigint): string =>
    deterministicId(streamId, type, rowHash, String(revision)),
  /** A row that could not become an event, on its run's stream: its place in the file too (the same bad row on two lines is two rejections). */
  rowRejected: (runStreamId: string, file: string, line: number, rowHash: string): string =>
    deterministicId(runStreamId, 'RowRejected', file, line, rowHash),
  /** An event the pipeline run decided on its own stream: the revision it takes (distinct across resumptions of a run). */
  pipelineRun: (runStreamId: string, revision: bigint, type: string): string => deterministicId(runStreamId, String(revision), type),
  /** A person's erasure, on the erasures stream: one per person. */
  personalDataErased: (erasuresStreamId: string, subjectId: string): string => deterministicId(erasuresStreamId, 'PersonalDataErased', subjectId),
  /** The server's count of one posted batch, the only event on the batch's stream. */
  batchOutcome: (batchStreamId: string, type: string): string => deterministicId(batchStreamId, type),
} as const;

/** The ids of commands (an event's causation id): a re-sent command is the same command. */
export const CommandIds = {
  /** One source row of a file, in a run. */
  ingestRow: (runId: string, file: string, line: number, rowHash: string): string => deterministicId('ingest-row', runId, file, line, rowHash),
  recordBatchOutcome: (batchStreamId: string): string => deterministicId('record-batch-outcome', batchStreamId),
  /** A command on a pipeline run sent by the loader (start, complete, fail): one of each per run. */
  pipelineRun: (commandType: 'StartPipelineRun' | 'CompletePipelineRun' | 'FailPipelineRun', runId: string): string => deterministicId(commandType, runId),
  /** The erasure of a person (asking again is the same command). */
  eraseDataSubject: (subjectId: string): string => deterministicId('EraseDataSubject', subjectId),
  /** The quality checks of a loaded run, by one rule set. */
  recordQualityReport: (runId: string, ruleSet: string): string => deterministicId('RecordQualityReport', runId, ruleSet),
} as const;

/**
 * The pipeline run id of a set of files: derived from each file's name and content (SHA-256), in load order,
 * so loading the same data again is the same run (and appends nothing new).
 */
export const pipelineRunId = (files: ReadonlyArray<{ readonly name: string; readonly sha256: string }>): string =>
  deterministicId('pipeline-run', ...files.map((f) => `${f.name}:${f.sha256}`));

/** Stream id helpers: `<category>-<id>`, compatible with EventStoreDB `$ce-<category>` streams. */
export const streamId = (category: string, id: string): string => `${category}-${id}`;
export const streamCategory = (stream: string): string => stream.slice(0, stream.indexOf('-'));
