import type { Checkpoint } from './port.js';

const DIGITS = 20; // u64 max is 20 digits: fixed width makes string order equal log order
const FORMAT = /^(\d{20}):(\d{20})$/;

/** The form of every checkpoint (both adapters encode pairs), for validating cursors given by clients. */
export const CHECKPOINT_FORMAT = /^\d{20}:\d{20}$/;

/** Both adapters' positions are pairs of u64s: `"<20 digits>:<20 digits>"`, so string order is log order. */
export function encodeCheckpointPair(major: bigint, minor: bigint): Checkpoint {
  if (major < 0n || minor < 0n) throw new RangeError('negative log position');
  return `${major.toString().padStart(DIGITS, '0')}:${minor.toString().padStart(DIGITS, '0')}` as Checkpoint;
}

/** The pair of a checkpoint, or undefined when it is not one. */
export function decodeCheckpointPair(checkpoint: Checkpoint | string): [bigint, bigint] | undefined {
  const match = FORMAT.exec(checkpoint);
  return match ? [BigInt(match[1]!), BigInt(match[2]!)] : undefined;
}

/** Whether a text is a checkpoint of our adapters (both encode pairs): a malformed cursor can be told apart before any read. */
export const isCheckpoint = (text: string): text is Checkpoint => FORMAT.test(text);
