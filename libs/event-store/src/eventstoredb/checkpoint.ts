import { decodeCheckpointPair, encodeCheckpointPair } from '../checkpoint-pair.js';
import type { Checkpoint } from '../port.js';

/** A position in EventStoreDB's `$all`: commit and prepare log offsets (u64). */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** `"<20-digit commit>:<20-digit prepare>"`, so that string order is `$all` order. */
export function encodeEsdbCheckpoint(position: EsdbPosition): Checkpoint {
  if (position.commit < 0n || position.prepare < 0n) throw new RangeError('negative $all position');
  return encodeCheckpointPair(position.commit, position.prepare);
}

export function decodeEsdbCheckpoint(checkpoint: Checkpoint | string): EsdbPosition {
  const pair = decodeCheckpointPair(checkpoint);
  if (!pair) throw new TypeError(`not an EventStoreDB checkpoint: ${JSON.stringify(checkpoint)}`);
  return { commit: pair[0], prepare: pair[1] };
}
