import {
  IdempotencyConflictError,
  WrongExpectedVersionError,
  type AppendRequest,
  type AppendResult,
  type Checkpoint,
  type EventData,
  type ExpectedRevision,
} from '../port.js';

/** An event already stored in the stream a request targets (found by id). */
export interface StoredEventRef {
  readonly revision: bigint;
  readonly position: Checkpoint;
}

export interface PlannedEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly event: EventData;
}

export type PlannedOutcome =
  | { readonly kind: 'idempotent'; readonly result: AppendResult }
  /** Events written; `revision` is the request's last event, `last` its index in {@link AppendPlan.events}. */
  | { readonly kind: 'written'; readonly streamId: string; readonly revision: bigint; readonly last: number }
  /** No events in the request: `revision` is the stream's current one, -1n when it has none. */
  | { readonly kind: 'empty'; readonly streamId: string; readonly revision: bigint };

export interface AppendPlan {
  readonly events: ReadonlyArray<PlannedEvent>;
  readonly outcomes: ReadonlyArray<PlannedOutcome>;
  /** Streams that get events: revision before (undefined: new stream) and after the batch. */
  readonly streams: ReadonlyMap<string, { readonly previous: bigint | undefined; readonly revision: bigint }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Validates requests and normalises event ids to lower case (as PostgreSQL prints uuids). Throws on malformed
 * input and on an event id given twice for one stream in the same call.
 */
export function normaliseRequests(requests: ReadonlyArray<AppendRequest>): AppendRequest[] {
  const seen = new Map<string, Set<string>>();
  return requests.map((request) => {
    if (typeof request.streamId !== 'string' || request.streamId.length === 0) {
      throw new TypeError('streamId must be a non-empty string');
    }
    checkExpectedRevision(request.expectedRevision);
    let ids = seen.get(request.streamId);
    if (!ids) seen.set(request.streamId, (ids = new Set()));
    const events = request.events.map((event) => {
      const id = String(event.id).toLowerCase();
      if (!UUID.test(id)) throw new TypeError(`event id must be a UUID, got ${JSON.stringify(event.id)}`);
      if (ids.has(id)) throw new IdempotencyConflictError(request.streamId, `event id ${id} appears twice in one append`);
      ids.add(id);
      return id === event.id ? event : { ...event, id };
    });
    return { ...request, events };
  });
}

function checkExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new RangeError(`expected revision must be >= 0, got ${expected}`);
  } else if (expected !== 'any' && expected !== 'no_stream' && expected !== 'stream_exists') {
    throw new TypeError(`invalid expected revision: ${String(expected)}`);
  }
}

/**
 * Decides, for requests applied in order, which are idempotent replays and which events to write at which
 * revisions. `current` holds the locked revision of every existing stream (absent: no stream); `stored` the
 * already-stored events of those streams whose ids appear in the requests. Throws
 * {@link WrongExpectedVersionError} or {@link IdempotencyConflictError}; the caller then rolls back.
 */
export function planAppend(
  requests: ReadonlyArray<AppendRequest>,
  current: ReadonlyMap<string, bigint>,
  stored: ReadonlyMap<string, ReadonlyMap<string, StoredEventRef>>,
): AppendPlan {
  const running = new Map(current);
  const events: PlannedEvent[] = [];
  const outcomes: PlannedOutcome[] = [];
  const streams = new Map<string, { previous: bigint | undefined; revision: bigint }>();

  for (const { streamId, expectedRevision, events: batch } of requests) {
    const revision = running.get(streamId);
    let replay: AppendResult | undefined;
    try {
      replay = batch.length > 0 ? idempotentReplay(streamId, expectedRevision, batch, stored.get(streamId)) : undefined;
    } catch (error) {
      // Ids stored elsewhere, or only some of them, while the stream has moved past the writer's expected
      // revision: the writer decided on stale state (EventStoreDB reports this as WrongExpectedVersion too).
      if (error instanceof IdempotencyConflictError && !satisfies(expectedRevision, revision)) {
        throw new WrongExpectedVersionError(streamId, expectedRevision, revision ?? 'no_stream');
      }
      throw error;
    }
    if (replay) {
      outcomes.push({ kind: 'idempotent', result: replay });
      continue;
    }
    if (!satisfies(expectedRevision, revision)) {
      throw new WrongExpectedVersionError(streamId, expectedRevision, revision ?? 'no_stream');
    }
    if (batch.length === 0) {
      outcomes.push({ kind: 'empty', streamId, revision: revision ?? -1n });
      continue;
    }
    let next = revision ?? -1n;
    for (const event of batch) events.push({ streamId, revision: ++next, event });
    running.set(streamId, next);
    streams.set(streamId, { previous: current.get(streamId), revision: next });
    outcomes.push({ kind: 'written', streamId, revision: next, last: events.length - 1 });
  }
  return { events, outcomes, streams };
}

function satisfies(expected: ExpectedRevision, revision: bigint | undefined): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return revision === undefined;
    case 'stream_exists':
      return revision !== undefined;
    default:
      return revision === expected;
  }
}

/** The original result when every id is already stored, consecutively and where `expected` says; else undefined. */
function idempotentReplay(
  streamId: string,
  expected: ExpectedRevision,
  batch: ReadonlyArray<EventData>,
  stored: ReadonlyMap<string, StoredEventRef> | undefined,
): AppendResult | undefined {
  const found = batch.map((event) => stored?.get(event.id));
  const count = found.filter((ref) => ref !== undefined).length;
  if (count === 0) return undefined;
  if (count < batch.length) {
    throw new IdempotencyConflictError(streamId, `${count} of ${batch.length} event ids are already stored`);
  }
  const refs = found as StoredEventRef[];
  const first = refs[0]!.revision;
  const consecutive = refs.every((ref, i) => ref.revision === first + BigInt(i));
  const where =
    expected === 'no_stream' ? first === 0n : typeof expected === 'bigint' ? first === expected + 1n : true;
  if (!consecutive || !where) {
    const revisions = refs.map((ref) => ref.revision).join(', ');
    throw new IdempotencyConflictError(
      streamId,
      `event ids already stored at revisions [${revisions}], which does not match expected revision ${String(expected)}`,
    );
  }
  const last = refs[refs.length - 1]!;
  return { streamId, nextExpectedRevision: last.revision, position: last.position, idempotent: true };
}
