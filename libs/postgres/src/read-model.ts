import type { SqlClient } from './sql-client.js';

/** An event as a Postgres read model sees it (structurally the event store's RecordedEvent). */
export interface ProjectedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: Date;
}

/** The part of a Postgres read model that one bounded context owns: the events it reads and how it writes them. */
export interface ReadModelHandler {
  readonly eventTypes: ReadonlySet<string>;
  /** Writes the effects of `events` (already filtered to `eventTypes`, in log order) inside the caller's transaction. */
  apply(tx: SqlClient, events: ReadonlyArray<ProjectedEvent>): Promise<void>;
}

/** A set of read models run by one {@link SqlReadModelProjection} (e.g. the projector's operational ones). */
export interface PostgresReadModels {
  /** Its row in read_models.checkpoints. */
  readonly name: string;
  readonly handlers: ReadonlyArray<ReadModelHandler>;
  /** Creates the tables (the read-model migrations). */
  readonly migrate: (client: SqlClient) => Promise<unknown>;
  /** The schemas whose tables the read models own (what a rebuild compares: every base table in them). */
  readonly schemas: ReadonlyArray<string>;
}

/**
 * Postgres read models fed from the global log: each batch's rows and the checkpoint are written in one
 * transaction (exactly once), and a batch at or below the stored checkpoint changes nothing.
 */
export class SqlReadModelProjection<Checkpoint extends string = string> {
  constructor(
    readonly name: string,
    private readonly client: SqlClient,
    private readonly handlers: ReadonlyArray<ReadModelHandler>,
    /** Creates the tables (migrations): run before the first batch. */
    private readonly prepare: (client: SqlClient) => Promise<unknown>,
  ) {}

  async init(): Promise<void> {
    await this.prepare(this.client);
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const { rows } = await this.client.query<{ checkpoint: string }>('SELECT checkpoint FROM read_models.checkpoints WHERE projection = $1', [this.name]);
    return rows[0]?.checkpoint as Checkpoint | undefined;
  }

  async eventsProjected(): Promise<number> {
    const { rows } = await this.client.query<{ n: bigint }>('SELECT events_projected AS n FROM read_models.checkpoints WHERE projection = $1', [this.name]);
    return Number(rows[0]?.n ?? 0);
  }

  async apply(events: ReadonlyArray<ProjectedEvent>, checkpoint: Checkpoint): Promise<void> {
    await this.client.transaction(async (tx) => {
      // One writer at a time per projection, even before its checkpoint row exists (FOR UPDATE locks no
      // row then: two projectors racing on the first batch would both apply it).
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('read_models.checkpoints'), hashtext($1))`, [this.name]);
      const { rows } = await tx.query<{ checkpoint: string }>(
        'SELECT checkpoint FROM read_models.checkpoints WHERE projection = $1', [this.name]);
      const stored = rows[0]?.checkpoint;
      if (stored !== undefined && checkpoint <= stored) return;
      for (const handler of this.handlers) {
        const mine = events.filter((e) => handler.eventTypes.has(e.type));
        if (mine.length > 0) await handler.apply(tx, mine);
      }
      await tx.query(
        `INSERT INTO read_models.checkpoints (projection, checkpoint, events_projected, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (projection) DO UPDATE SET checkpoint = EXCLUDED.checkpoint,
           events_projected = read_models.checkpoints.events_projected + EXCLUDED.events_projected, updated_at = now()`,
        [this.name, checkpoint, events.length],
      );
    });
  }
}
