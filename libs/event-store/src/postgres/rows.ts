import type { Checkpoint, RecordedEvent } from '../port.js';
import { encodePgCheckpoint } from './checkpoint.js';

export interface EventRow {
  transaction_id: string;
  global_position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: Date;
}

export function positionOf(row: { transaction_id: string; global_position: bigint }): Checkpoint {
  return encodePgCheckpoint({ transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) });
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: positionOf(row),
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}
