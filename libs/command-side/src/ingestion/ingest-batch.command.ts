import type { BatchResult, SourceFile, SourceRow } from '@olist/ingestion';
import { Command } from '@nestjs/cqrs';

/** A batch of rows of one source file, posted within a pipeline run. */
export class IngestBatchCommand extends Command<BatchResult> {
  constructor(
    readonly runId: string,
    readonly file: SourceFile,
    readonly header: ReadonlyArray<string>,
    readonly rows: ReadonlyArray<SourceRow>,
    readonly actor: string,
    /** The request's `Idempotency-Key` (the same on each retry of one batch), kept in its events' metadata. */
    readonly requestKey?: string,
    /** When the API received the batch: the ingestion time (`recordedAt`) of its events. */
    readonly receivedAt: string = new Date().toISOString(),
  ) {
    super();
  }
}
