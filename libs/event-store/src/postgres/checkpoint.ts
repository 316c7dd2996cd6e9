import type { Checkpoint } from '../port.js';

/** A position in the PostgreSQL log: the appending transaction's id and the global sequence value. */
export interface PgLogPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

const DIGITS = 20; // u64 max is 20 digits: fixed width makes string order equal log order
const FORMAT = /^(\d{20}):(\d{20})$/;

export function encodePgCheckpoint(position: PgLogPosition): Checkpoint {
  if (position.transactionId < 0n || position.globalPosition < 0n) throw new RangeError('negative log position');
  return `${position.transactionId.toString().padStart(DIGITS, '0')}:${position.globalPosition
    .toString()
    .padStart(DIGITS, '0')}` as Checkpoint;
}

export function decodePgCheckpoint(checkpoint: Checkpoint | string): PgLogPosition {
  const match = FORMAT.exec(checkpoint);
  if (!match) throw new TypeError(`not a PostgreSQL event-store checkpoint: ${JSON.stringify(checkpoint)}`);
  return { transactionId: BigInt(match[1]!), globalPosition: BigInt(match[2]!) };
}

/** Before the first event: reading after it returns the whole log. */
export const PG_START_CHECKPOINT = encodePgCheckpoint({ transactionId: 0n, globalPosition: 0n });
