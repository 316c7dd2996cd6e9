import { decodeCheckpointPair, encodeCheckpointPair } from '../checkpoint-pair.js';
import type { Checkpoint } from '../port.js';

/** A position in the PostgreSQL log: the appending transaction's id and the global sequence value. */
export interface PgLogPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

export function encodePgCheckpoint(position: PgLogPosition): Checkpoint {
  return encodeCheckpointPair(position.transactionId, position.globalPosition);
}

export function decodePgCheckpoint(checkpoint: Checkpoint | string): PgLogPosition {
  const pair = decodeCheckpointPair(checkpoint);
  if (!pair) throw new TypeError(`not a PostgreSQL event-store checkpoint: ${JSON.stringify(checkpoint)}`);
  return { transactionId: pair[0], globalPosition: pair[1] };
}

/** Before the first event: reading after it returns the whole log. */
export const PG_START_CHECKPOINT = encodePgCheckpoint({ transactionId: 0n, globalPosition: 0n });
