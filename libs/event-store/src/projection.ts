import type { Checkpoint, RecordedEvent } from './port.js';

/**
 * A read model fed from the global log. `apply` must be exactly-once: it writes the batch's effects and
 * `checkpoint` atomically, and a batch at or below the stored checkpoint changes nothing.
 */
export interface Projection {
  readonly name: string;
  /** Prepares storage (migrations, seed rows). Idempotent. */
  init(): Promise<void>;
  /** The position of the last event applied, or undefined when nothing was applied yet. */
  checkpoint(): Promise<Checkpoint | undefined>;
  apply(events: ReadonlyArray<RecordedEvent>, checkpoint: Checkpoint): Promise<void>;
  /** Total events applied so far (all batches, all runs), when the projection records it. */
  eventsProjected?(): Promise<number>;
  /** Releases what init() opened (connections); init() opens them again. */
  close?(): void | Promise<void>;
}
