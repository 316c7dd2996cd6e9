/**
 * The in-memory transaction log behind the EventStoreDB test double (see ./server.ts for what the double is
 * and is not). Holds every event in `$all` order and applies EventStoreDB's append rules: expected revision
 * (`any`, `no_stream`, `stream_exists`, exact), and idempotent re-appends of the same event ids.
 */

export interface StoredEvent {
  readonly streamName: string;
  readonly id: string;
  readonly revision: bigint;
  /** Byte-like log offset: commit = prepare = this value in the double (see fidelity limits). */
  readonly position: bigint;
  readonly metadata: ReadonlyMap<string, string>;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface ProposedEvent {
  readonly id: string;
  readonly metadata: ReadonlyMap<string, string>;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export type Expected = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

/** The expected revision of an append request, from the oneof that Append and BatchAppend options both carry. */
export function expectedOf(options: { revision: string | undefined; noStream: boolean; streamExists: boolean }): Expected {
  if (options.revision !== undefined) return { kind: 'revision', revision: BigInt(options.revision) };
  if (options.noStream) return { kind: 'no_stream' };
  return options.streamExists ? { kind: 'stream_exists' } : { kind: 'any' };
}

export type AppendOutcome =
  | { kind: 'success'; revision: bigint | undefined; position: bigint | undefined }
  | { kind: 'wrong_expected_version'; current: bigint | undefined };

/** `created` as the gRPC API sends it: 100 ns ticks since the Unix epoch. */
const ticksNow = () => BigInt(Date.now()) * 10_000n;

export class EventLog {
  readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private nextPosition = 1_000n;
  private readonly listeners = new Set<() => void>();

  /** A few `$`-prefixed system events, like a fresh node writes, so `$all` filters have something to drop. */
  seedSystemEvents(): void {
    const json = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));
    const system = (stream: string, type: string, data: unknown) =>
      this.append(stream, { kind: 'any' }, [
        {
          id: crypto.randomUUID(),
          metadata: new Map([['type', type], ['content-type', 'application/json']]),
          data: json(data),
          customMetadata: new Uint8Array(),
        },
      ]);
    system('$users', '$User', { loginName: 'admin' });
    system('$settings', '$settings', { $userStreamAcl: {} });
    system('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-cpu': 1 });
  }

  /** Index of the first event whose position is >= `position` (events.length when none): binary search. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.events[mid]!.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  stream(name: string): ReadonlyArray<StoredEvent> | undefined {
    return this.streams.get(name);
  }

  /** Called after every write (used by live subscriptions). Returns an unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamName: string, expected: Expected, proposed: ReadonlyArray<ProposedEvent>): AppendOutcome {
    const stream = this.streams.get(streamName);
    const current = stream && stream.length > 0 ? stream[stream.length - 1]!.revision : undefined;

    const base = expected.kind === 'no_stream' ? -1n : expected.kind === 'revision' ? expected.revision : undefined;
    if (base !== undefined) {
      const cur = current ?? -1n;
      if (base > cur) return { kind: 'wrong_expected_version', current };
      if (base < cur) {
        // Idempotency check at base+1…: exact match → original result; anything else → WrongExpectedVersion.
        const replay = proposed.length > 0 ? this.matchAt(stream ?? [], base + 1n, proposed) : undefined;
        return replay ?? { kind: 'wrong_expected_version', current };
      }
    } else {
      if (expected.kind === 'stream_exists' && current === undefined) return { kind: 'wrong_expected_version', current };
      // `any` / `stream_exists`: look the first id up (the real server uses a bounded cache of recent ids).
      const first = proposed[0] && stream?.find((e) => e.id === proposed[0]!.id);
      if (first) return this.matchAt(stream!, first.revision, proposed) ?? { kind: 'wrong_expected_version', current };
    }

    if (proposed.length === 0) {
      const last = stream?.[stream.length - 1];
      return { kind: 'success', revision: current, position: last?.position };
    }
    const target = stream ?? [];
    if (!stream) this.streams.set(streamName, target);
    let revision = current ?? -1n;
    let written: StoredEvent | undefined;
    for (const event of proposed) {
      const metadata = new Map(event.metadata);
      metadata.set('created', ticksNow().toString());
      written = { streamName, id: event.id, revision: ++revision, position: this.nextPosition, metadata, data: event.data, customMetadata: event.customMetadata };
      this.nextPosition += 64n + BigInt(event.data.length); // non-dense, byte-like offsets
      target.push(written);
      this.events.push(written);
    }
    for (const listener of [...this.listeners]) listener();
    return { kind: 'success', revision, position: written!.position };
  }

  /** The original result when `proposed` is stored exactly at `from…`, else undefined. */
  private matchAt(stream: ReadonlyArray<StoredEvent>, from: bigint, proposed: ReadonlyArray<ProposedEvent>) {
    const start = Number(from);
    const matches = proposed.every((event, i) => stream[start + i]?.id === event.id);
    if (!matches) return undefined;
    const last = stream[start + proposed.length - 1]!;
    return { kind: 'success' as const, revision: last.revision, position: last.position };
  }
}
