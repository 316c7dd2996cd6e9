import type * as esdb from '@eventstore/db-client';
import type { Checkpoint, RecordedEvent } from '../port.js';
import { encodeEsdbCheckpoint } from './checkpoint.js';

/** EventStoreDB's system events (`$`-prefixed types), the ones `excludeSystemEvents()` filters out. */
export function isSystemEvent(event: { readonly type: string }): boolean {
  return event.type.startsWith('$');
}

/** The `$all` position of a recorded event (present on every event read from `$all` or a stream). */
export function checkpointOf(event: esdb.RecordedEvent): Checkpoint {
  if (!event.position) throw new Error(`event ${event.id} has no $all position`);
  return encodeEsdbCheckpoint(event.position);
}

export function toRecordedEvent(event: esdb.RecordedEvent): RecordedEvent {
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: checkpointOf(event),
    data: event.data,
    metadata: isRecord(event.metadata) ? event.metadata : {},
    recordedAt: event.created,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value);
}
