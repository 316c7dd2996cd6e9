import { sqlState, SqlStates, type SqlClient } from '@olist/postgres';
import type {
  AppendRequest,
  AppendResult,
  Checkpoint,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { normaliseRequests, planAppend, type AppendPlan, type StoredEventRef } from './append-plan.js';
import { decodePgCheckpoint, PG_START_CHECKPOINT } from './checkpoint.js';
import { positionOf, toRecordedEvent, type EventRow } from './rows.js';
import { migrateEventStore } from './schema.js';
import * as Sql from './sql.js';
import { PollingSubscription, type LogPage, type LogSource } from './subscription.js';

export interface PostgresEventStoreOptions {
  /** How often an idle subscription polls (default 100 ms). */
  readonly pollIntervalMs?: number;
  /** Default `maxBatchSize` of subscriptions (default 1000). */
  readonly defaultBatchSize?: number;
  /** NOTIFY on every append and LISTEN in subscriptions, to wake them before the next poll (default true). */
  readonly notify?: boolean;
  /** Close the SQL client in {@link PostgresEventStore.close} (default false: the client may be shared). */
  readonly ownsClient?: boolean;
  /** Attempts of an append transaction that hits a deadlock, a serialization failure or a unique violation (default 3). */
  readonly maxAppendAttempts?: number;
  /**
   * Appends touching more streams than this take one store-wide lock instead of one advisory lock per stream,
   * to stay clear of the server's lock table (max_locks_per_transaction × max_connections). Default 512.
   */
  readonly maxStreamLocks?: number;
}

/** A unique violation can only come from a writer that bypassed the stream locks: the retry re-reads the state. */
const RETRYABLE = new Set<string>([SqlStates.deadlockDetected, SqlStates.serializationFailure, SqlStates.uniqueViolation]);

class ConcurrentWriteError extends Error {
  constructor() {
    super('a stream changed under its lock (a writer bypassed the event store?)');
    this.name = 'ConcurrentWriteError';
  }
}

/** The event-store port on PostgreSQL (`pg` server or PGlite), see libs/event-store/README.md. */
export class PostgresEventStore implements EventStore {
  private readonly pollIntervalMs: number;
  private readonly defaultBatchSize: number;
  private readonly notify: boolean;
  private readonly writeSql: string;
  private readonly maxStreamLocks: number;
  private readonly subscriptions = new Set<Subscription>();
  private readonly wakers = new Set<() => void>();
  private unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  private closed = false;

  constructor(
    readonly client: SqlClient,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.defaultBatchSize = options.defaultBatchSize ?? 1000;
    this.notify = options.notify ?? true;
    this.writeSql = Sql.writeSql(this.notify);
    this.maxStreamLocks = options.maxStreamLocks ?? 512;
  }

  /** Migrates the schema, then returns the store. */
  static async create(client: SqlClient, options?: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(client, options);
    await store.migrate();
    return store;
  }

  migrate(): Promise<void> {
    return migrateEventStore(this.client);
  }

  async appendToStream(
    streamId: string,
    events: ReadonlyArray<EventData>,
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, events, expectedRevision: options.expectedRevision ?? 'any' }]);
    return result!;
  }

  /**
   * One transaction, a constant number of statements. Several requests may target the same stream: they are
   * applied in order, each checked against the revision the previous one left.
   */
  async appendMany(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendResult>> {
    this.assertOpen();
    const normalised = normaliseRequests(requests);
    if (normalised.length === 0) return [];
    const attempts = this.options.maxAppendAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.transaction((tx) => this.appendInTransaction(tx, normalised));
      } catch (error) {
        const retryable = error instanceof ConcurrentWriteError || RETRYABLE.has(sqlState(error) ?? '');
        if (attempt >= attempts || !retryable) throw error;
      }
    }
  }

  private async appendInTransaction(tx: SqlClient, requests: ReadonlyArray<AppendRequest>): Promise<AppendResult[]> {
    const streamIds = [...new Set(requests.map((r) => r.streamId))];
    // 1. Lock the streams before anything gives this transaction an id (see LOCK_STREAMS).
    if (streamIds.length > this.maxStreamLocks) await tx.query(Sql.LOCK_ALL_STREAMS);
    else await tx.query(Sql.LOCK_STREAMS, [streamIds]);

    // 2. Under the locks, read the revisions and which ids are already stored (idempotent replays).
    const { rows } = await tx.query<{ stream_id: string; revision: bigint }>(Sql.READ_REVISIONS, [streamIds]);
    const current = new Map(rows.map((row) => [row.stream_id, BigInt(row.revision)]));
    const stored = await this.findStored(tx, requests, current);

    // 3. Decide, then write everything in one statement.
    return this.write(tx, planAppend(requests, current, stored));
  }

  private async findStored(
    tx: SqlClient,
    requests: ReadonlyArray<AppendRequest>,
    current: ReadonlyMap<string, bigint>,
  ): Promise<Map<string, Map<string, StoredEventRef>>> {
    const stored = new Map<string, Map<string, StoredEventRef>>();
    // A writer whose exact expected revision is the stream's current one cannot be replaying stored events
    // (they would sit after that revision): skip the look-up, as EventStoreDB does. This is the common case
    // of the command side, and saves an index probe per event.
    const ids: string[] = [];
    const streams: string[] = [];
    for (const r of requests) {
      if (!current.has(r.streamId) || (typeof r.expectedRevision === 'bigint' && r.expectedRevision === current.get(r.streamId))) continue;
      for (const e of r.events) {
        ids.push(e.id);
        streams.push(r.streamId);
      }
    }
    if (ids.length === 0) return stored;
    const { rows } = await tx.query<{
      stream_id: string;
      event_id: string;
      revision: bigint;
      transaction_id: string;
      global_position: bigint;
    }>(Sql.FIND_STORED_IDS, [ids, streams]);
    for (const row of rows) {
      let byId = stored.get(row.stream_id);
      if (!byId) stored.set(row.stream_id, (byId = new Map()));
      byId.set(row.event_id, { revision: BigInt(row.revision), position: positionOf(row) });
    }
    return stored;
  }

  private async write(tx: SqlClient, plan: AppendPlan): Promise<AppendResult[]> {
    const positions = new Map<string, Checkpoint>();
    const key = (streamId: string, revision: bigint) => `${revision}\u0000${streamId}`;

    if (plan.events.length > 0) {
      const streams = [...plan.streams];
      const created = streams.filter(([, s]) => s.previous === undefined);
      const existing = streams.filter(([, s]) => s.previous !== undefined);
      const { rows } = await tx.query<{ transaction_id: string; streams: bigint; positions: string | null }>(this.writeSql, [
        JSON.stringify(
          plan.events.map(({ streamId, revision, event }) => [
            streamId,
            revision.toString(),
            event.id,
            event.type,
            event.data ?? null,
            event.metadata ?? {},
          ]),
        ),
        created.map(([id]) => id),
        created.map(([, s]) => s.revision),
        existing.map(([id]) => id),
        existing.map(([, s]) => s.revision),
        existing.map(([, s]) => s.previous),
      ]);
      const { transaction_id, streams: count, positions: inserted } = rows[0]!;
      const globalPositions = inserted?.split(',') ?? [];
      if (globalPositions.length !== plan.events.length || BigInt(count) !== BigInt(streams.length)) {
        // Only a writer bypassing the stream locks can cause this: retry, re-reading the state.
        throw new ConcurrentWriteError();
      }
      for (const o of plan.outcomes) {
        if (o.kind === 'written') {
          positions.set(key(o.streamId, o.revision), positionOf({ transaction_id, global_position: BigInt(globalPositions[o.last]!) }));
        }
      }
    }

    // Requests without events report the position of their stream's last event.
    const missing = plan.outcomes.filter(
      (o) => o.kind === 'empty' && o.revision >= 0n && !positions.has(key(o.streamId, o.revision)),
    ) as Array<{ streamId: string; revision: bigint }>;
    if (missing.length > 0) {
      const { rows } = await tx.query<{ stream_id: string; revision: bigint; transaction_id: string; global_position: bigint }>(
        Sql.FIND_POSITIONS,
        [missing.map((o) => o.streamId), missing.map((o) => o.revision)],
      );
      for (const row of rows) positions.set(key(row.stream_id, BigInt(row.revision)), positionOf(row));
    }

    return plan.outcomes.map((outcome) => {
      if (outcome.kind === 'idempotent') return outcome.result;
      const position =
        outcome.revision < 0n ? PG_START_CHECKPOINT : positions.get(key(outcome.streamId, outcome.revision));
      if (!position) throw new Error(`internal error: no position for ${outcome.streamId}@${outcome.revision}`);
      return { streamId: outcome.streamId, nextExpectedRevision: outcome.revision, position, idempotent: false };
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<ReadonlyArray<RecordedEvent>> {
    this.assertOpen();
    const sql = options.direction === 'backwards' ? Sql.READ_STREAM_BACKWARDS : Sql.READ_STREAM_FORWARDS;
    const { rows } = await this.client.query<EventRow>(sql, [streamId, options.fromRevision ?? null, limit(options.maxCount)]);
    return rows.map(toRecordedEvent);
  }

  async readStreams(streamIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, ReadonlyArray<RecordedEvent>>> {
    this.assertOpen();
    const result = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
    if (streamIds.length === 0) return result;
    const { rows } = await this.client.query<EventRow>(Sql.READ_STREAMS, [[...new Set(streamIds)]]);
    for (const row of rows) result.get(row.stream_id)!.push(toRecordedEvent(row));
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    this.assertOpen();
    const { events, checkpoint } = await this.readPage(options.after, options.maxCount);
    return { events, checkpoint };
  }

  async countAfter(after: Checkpoint | undefined, limit: number): Promise<number> {
    this.assertOpen();
    const from = decodePgCheckpoint(after ?? PG_START_CHECKPOINT);
    return this.client.transaction(async (tx) => {
      await tx.query(Sql.COUNT_AFTER_PLAN);
      const { rows } = await tx.query<{ n: number }>(Sql.COUNT_AFTER, [from.transactionId.toString(), from.globalPosition, limit]);
      return rows[0]!.n;
    });
  }

  private async readPage(after: Checkpoint | undefined, maxCount: number | undefined): Promise<LogPage> {
    const from = decodePgCheckpoint(after ?? PG_START_CHECKPOINT);
    const { rows } = await this.client.query<{ horizon: string } & { [K in keyof EventRow]: EventRow[K] | null }>(
      Sql.READ_ALL,
      [from.transactionId.toString(), from.globalPosition, limit(maxCount)],
    );
    const events = rows.filter((row) => row.global_position !== null).map((row) => toRecordedEvent(row as EventRow));
    return {
      events,
      checkpoint: events.length > 0 ? events[events.length - 1]!.position : after,
      horizon: BigInt(rows[0]!.horizon),
    };
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.assertOpen();
    if (options.after !== undefined) decodePgCheckpoint(options.after); // fail now, not in the polling loop
    if (options.maxBatchSize !== undefined && !(Number.isInteger(options.maxBatchSize) && options.maxBatchSize > 0)) {
      throw new RangeError('maxBatchSize must be a positive integer');
    }
    const source: LogSource = {
      readPage: (after, maxCount) => this.readPage(after, maxCount),
      currentTarget: async () => {
        const { rows } = await this.client.query<{ xmax: string }>(Sql.CURRENT_XMAX);
        return BigInt(rows[0]!.xmax);
      },
      onAppend: (wake) => this.onAppend(wake),
    };
    const subscription = new PollingSubscription(source, options, {
      pollIntervalMs: this.pollIntervalMs,
      defaultBatchSize: this.defaultBatchSize,
      maxReadRetries: 5,
    });
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
      caughtUp: () => subscription.caughtUp(),
    };
  }

  /** One LISTEN per store, started with the first subscription; failures leave subscriptions polling. */
  private onAppend(wake: () => void): () => void {
    this.wakers.add(wake);
    if (this.notify && this.client.listen && !this.unlisten) {
      this.unlisten = this.client
        .listen(Sql.APPEND_NOTIFY_CHANNEL, () => {
          for (const waker of this.wakers) waker();
        })
        .catch(() => undefined);
    }
    return () => this.wakers.delete(wake);
  }

  /** Stops the subscriptions (waiting for their handlers) and, if it owns it, closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    const unlisten = await this.unlisten;
    await unlisten?.().catch(() => {});
    if (this.options.ownsClient) await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store closed');
  }
}

function limit(maxCount: number | undefined): number | null {
  if (maxCount === undefined) return null;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer`);
  return maxCount;
}
