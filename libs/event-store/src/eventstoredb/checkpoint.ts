import type { Checkpoint } from '../port.js';

/** A position in EventStoreDB's `$all`: commit and prepare log offsets (u64). */
export interface EsdbPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const DIGITS = 20; // u64 max is 20 digits: fixed width makes string order equal log order
const FORMAT = /^(\d{20}):(\d{20})$/;

/** `"<20-digit commit>:<20-digit prepare>"`, so that string order is `$all` order. */
export function encodeEsdbCheckpoint(position: EsdbPosition): Checkpoint {
  if (position.commit < 0n || position.prepare < 0n) throw new RangeError('negative $all position');
  return `${position.commit.toString().padStart(DIGITS, '0')}:${position.prepare.toString().padStart(DIGITS, '0')}` as Checkpoint;
}

export function decodeEsdbCheckpoint(checkpoint: Checkpoint | string): EsdbPosition {
  const match = FORMAT.exec(checkpoint);
  if (!match) throw new TypeError(`not an EventStoreDB checkpoint: ${JSON.stringify(checkpoint)}`);
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}
