/** Where a fact came from: the source file, its line and a hash of the raw row. */
export interface Provenance {
  readonly file: string;
  /** The source line; of an event recording several rows, the first one's. */
  readonly line: number;
  /**
   * SHA-256 of the raw row; of a row with personal data, of its other values only (the personal ones are blanked).
   * Of an event recording several rows: {@link rowsHash} of their hashes.
   */
  readonly rowHash: string;
  /** Of an event recording several rows (a zip prefix's points of one batch): every row's line, in the order of the event's data. */
  readonly lines?: ReadonlyArray<number>;
  /** Of a row with personal data: HMAC-SHA-256 of its personal values under its data subject's key, unverifiable once the subject is erased. */
  readonly personalHash?: string;
}

/** Metadata every stored event carries (spec §5). Timestamps are ISO-8601 UTC strings. */
export interface EventMetadata {
  readonly eventId: string;
  readonly schemaVersion: number;
  /** Business time, from the source's timestamps (`Decider.occurredAt`); null when the source does not date the fact. */
  readonly occurredAt: string | null;
  /** Ingestion time (wall clock of the command side). */
  readonly recordedAt: string;
  /** The pipeline run. */
  readonly correlationId: string;
  /** The command that caused the event. */
  readonly causationId: string;
  readonly actor: string;
  readonly provenance?: Provenance;
  /** The data key (a customer id) that seals the event's personal fields (docs/personal-data.md). */
  readonly personalDataKey?: string;
  /**
   * The `Idempotency-Key` of the request that appended the event (the loader's, one per batch, the same on every
   * retry): a retried request whose earlier answer was lost finds its own events by it (docs/errors.md).
   */
  readonly requestKey?: string;
}

/** A domain event as deciders produce it: a past-tense type and plain, JSON-safe data. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** A domain event with its metadata, ready to be appended. */
export interface EventEnvelope<E extends DomainEvent = DomainEvent> {
  readonly type: E['type'];
  readonly data: E['data'];
  readonly metadata: EventMetadata;
}
