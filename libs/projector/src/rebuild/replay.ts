import type { Checkpoint, EventStore, RecordedEvent } from '@olist/event-store';
import { DEFAULT_MAX_BATCH_SIZE } from '../runtime/projector-runner.js';

/** What a replay needs of a projection (the star schema, or the Postgres read models). */
export interface ReplayableProjection {
  init(): Promise<void>;
  apply(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void>;
}

export interface ReplayOptions {
  /** Last position to apply, inclusive; undefined: nothing (a live projection that projected nothing yet). */
  readonly until: Checkpoint | undefined;
  /** Events per batch (default {@link DEFAULT_MAX_BATCH_SIZE}). */
  readonly batchSize?: number;
  readonly onBatch?: (eventsSoFar: number, checkpoint: Checkpoint) => void;
}

export interface ReplayResult {
  readonly events: number;
  /** Position of the last event applied (undefined: none). */
  readonly checkpoint: Checkpoint | undefined;
}

/**
 * Feeds `projection` the global log from position 0 up to and including `until`, in batches, each with
 * its last event's position as checkpoint — what a live projector does, stopped at a chosen position so
 * that the result can be compared with a live read model at that same checkpoint.
 */
export const replayLog = async (store: EventStore, projection: ReplayableProjection, options: ReplayOptions): Promise<ReplayResult> => {
  await projection.init();
  const until = options.until;
  const batchSize = options.batchSize ?? DEFAULT_MAX_BATCH_SIZE;
  let after: Checkpoint | undefined;
  let events = 0;
  const read = (from: Checkpoint | undefined) => store.readAll({ ...(from === undefined ? {} : { after: from }), maxCount: batchSize });
  // Read-ahead: the next page is read while the projection applies this one (the store and the projection work in parallel).
  let next = until === undefined ? undefined : read(undefined);
  while (next !== undefined && until !== undefined && (after === undefined || after < until)) {
    const page = await next;
    next = undefined;
    // Checkpoints of one adapter compare as strings in log order (see the port).
    const batch = page.events.filter((e) => e.position <= until);
    if (batch.length === 0) {
      if (page.events.length === 0) throw new Error(`the event log ends before checkpoint ${until} (last event read: ${after ?? 'none'})`);
      break;
    }
    const checkpoint = batch[batch.length - 1]!.position;
    if (batch.length === page.events.length && checkpoint < until) {
      next = read(checkpoint);
      next.catch(() => undefined); // awaited in the next turn; a failure of the projection first must not leave it unhandled
    }
    await projection.apply(batch, checkpoint);
    events += batch.length;
    after = checkpoint;
    options.onBatch?.(events, checkpoint);
    if (batch.length < page.events.length) break;
  }
  if (until !== undefined && after !== until) {
    throw new Error(`checkpoint ${until} is not the position of an event in the log (replay stopped at ${after ?? 'the start'})`);
  }
  return { events, checkpoint: after };
};
