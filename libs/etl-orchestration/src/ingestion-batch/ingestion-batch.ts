import { accepted, streamId, type Decider } from '@olist/shared-kernel';
import type { SourceBatchIngested } from '../events.js';

/** The server's count of one posted batch, made when the batch was received (`receivedAt`). */
export type RecordBatchOutcome = { readonly type: 'RecordBatchOutcome'; readonly receivedAt: string } & SourceBatchIngested['data'];

export interface IngestionBatchState {
  readonly recorded: boolean;
}

/** One stream per batch of a run: batches of one run are posted concurrently, and never wait for each other here. */
export const ingestionBatchStreamId = (runId: string, file: string, fromLine: number, toLine: number): string =>
  streamId('ingestion_batch', `${runId}.${file}.${fromLine}-${toLine}`);

/** A batch's outcome is recorded once: a retried post of the same lines (all duplicates then) does not count again. */
export const ingestionBatchDecider: Decider<RecordBatchOutcome, IngestionBatchState, SourceBatchIngested> = {
  initialState: () => ({ recorded: false }),
  decide: (command, state) => {
    if (state.recorded) return accepted();
    const { type: _type, receivedAt: _receivedAt, ...outcome } = command;
    return accepted({ type: 'SourceBatchIngested', data: outcome });
  },
  evolve: () => ({ recorded: true }),
  occurredAt: (_event, command) => command.receivedAt,
};
