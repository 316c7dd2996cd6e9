import type { AppendRequest, EventData, RecordedEvent } from '@olist/event-store';
import { isSealed, open, seal, sealedKeyId, SealedValueError, type SealContext } from './crypto/field-cipher.js';
import { ERASED, PERSONAL_EVENT_FIELDS, PERSONAL_SOURCE_COLUMNS, REJECTED_ROW_EVENT, WITHHELD } from './domain/personal-data.js';
import type { DataKeyStore, KeyRing } from './key-store/data-key-store.js';

type Fields = Record<string, unknown>;

/** The personal columns of a rejected row's file (`RowRejected.data.file` is the file's logical name). */
const rejectedColumns = (data: unknown): ReadonlyArray<string> => PERSONAL_SOURCE_COLUMNS[String((data as { file?: unknown } | null)?.file ?? '')]?.columns ?? [];

/** The personal field paths of an event (`data.<field>`, or `data.raw.<column>` of a rejected row) — none for most. */
const personalPaths = (type: string, data: unknown): { readonly fields: ReadonlyArray<string>; readonly raw: boolean } | undefined => {
  const fields = PERSONAL_EVENT_FIELDS[type];
  if (fields) return { fields, raw: false };
  if (type !== REJECTED_ROW_EVENT) return undefined;
  const columns = rejectedColumns(data);
  return columns.length > 0 ? { fields: columns, raw: true } : undefined;
};

const keyIdOf = (metadata: Record<string, unknown>): string | undefined =>
  typeof metadata.personalDataKey === 'string' && metadata.personalDataKey !== '' ? metadata.personalDataKey : undefined;

/**
 * Seals and opens people's personal fields (docs/personal-data.md), with one key-store round trip per batch of
 * events. What is stored is sealed; what is read is open, or {@link ERASED} once the key is deleted. A rejected
 * row's raw values stay sealed when read (the quarantine keeps them so): {@link openRejectedRows} opens them
 * where a person reads them.
 */
export class PersonalDataProtection {
  constructor(readonly keys: DataKeyStore) {}

  /**
   * The requests with every personal field sealed under its event's data key (made if missing). Fields are taken
   * as plaintext, whatever they look like (a review may say anything): copying stored events goes through the
   * adapter, never through this.
   */
  async sealAll(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendRequest>> {
    const keyIds = new Set<string>();
    let any = false;
    for (const r of requests) {
      for (const e of r.events) {
        if (!personalPaths(e.type, e.data)) continue;
        any = true;
        const keyId = keyIdOf(e.metadata);
        if (keyId) keyIds.add(keyId);
      }
    }
    if (!any) return requests;
    const ring = await this.keys.ensure([...keyIds].map((keyId) => ({ keyId })));
    return requests.map((r) => ({ ...r, events: r.events.map((e) => this.sealEvent(r.streamId, e, ring)) }));
  }

  /**
   * The events with their personal fields open (rejected rows' raw values excepted). The keys are fetched now;
   * each event's fields are opened when its `data` is first read, so a reader that never looks at a person's
   * event (the operational read models) does not pay for decrypting it.
   */
  async openAll(events: ReadonlyArray<RecordedEvent>): Promise<ReadonlyArray<RecordedEvent>> {
    const keyIds = new Set<string>();
    for (const e of events) {
      const fields = PERSONAL_EVENT_FIELDS[e.type];
      if (fields === undefined) continue;
      for (const field of fields) {
        const v = (e.data as Fields)[field];
        if (isSealed(v)) keyIds.add(sealedKeyId(v));
      }
    }
    if (keyIds.size === 0) return events;
    const ring = await this.keys.ring(keyIds);
    return events.map((e) => {
      const fields = PERSONAL_EVENT_FIELDS[e.type];
      if (!fields) return e;
      let opened: Fields | undefined;
      return {
        ...e,
        get data(): Fields {
          if (opened === undefined) {
            opened = { ...(e.data as Fields) };
            for (const field of fields) opened[field] = openValue(opened[field], ring, { streamId: e.streamId, eventType: e.type, eventId: e.id, field });
          }
          return opened;
        },
      };
    });
  }

  /** Opens the raw values of rejected rows (quarantine, audit): sealed values of erased people read as {@link ERASED}. */
  async openRejectedRows(rows: ReadonlyArray<{ readonly streamId: string; readonly eventId: string; readonly raw: Record<string, unknown> }>): Promise<Array<Record<string, unknown>>> {
    const keyIds = new Set<string>();
    for (const row of rows) for (const v of Object.values(row.raw)) if (isSealed(v)) keyIds.add(sealedKeyId(v));
    const ring = keyIds.size > 0 ? await this.keys.ring(keyIds) : undefined;
    return rows.map((row) => {
      if (!ring) return row.raw;
      const raw: Record<string, unknown> = {};
      for (const [column, v] of Object.entries(row.raw)) {
        raw[column] = isSealed(v) ? openValue(v, ring, { streamId: row.streamId, eventType: REJECTED_ROW_EVENT, eventId: row.eventId, field: `raw.${column}` }) : v;
      }
      return raw;
    });
  }

  private sealEvent(streamId: string, e: EventData, ring: KeyRing): EventData {
    const paths = personalPaths(e.type, e.data);
    if (!paths) return e;
    const keyId = keyIdOf(e.metadata);
    const state = keyId === undefined ? undefined : ring.get(keyId);
    const sealField = (value: unknown, field: string): unknown => {
      if (typeof value !== 'string' || value === ERASED || value === WITHHELD) return value;
      if (state === undefined) return WITHHELD;
      if (state === 'erased') return ERASED;
      return seal(value, state.key, state.keyId, { streamId, eventType: e.type, eventId: e.id, field });
    };
    const data = { ...(e.data as Fields) };
    if (paths.raw) {
      const raw = { ...(data.raw as Fields) };
      for (const column of paths.fields) if (column in raw) raw[column] = sealField(raw[column], `raw.${column}`);
      data.raw = raw;
    } else {
      for (const field of paths.fields) data[field] = sealField(data[field], field);
    }
    return { ...e, data };
  }
}

const openValue = (value: unknown, ring: KeyRing, context: SealContext): unknown => {
  if (!isSealed(value)) return value;
  const state = ring.get(sealedKeyId(value));
  if (state === undefined || state === 'erased') return ERASED;
  try {
    return open(value, state.key, context);
  } catch (error) {
    // A value that does not authenticate is unreadable, like an erased one: a reader never throws on data.
    if (error instanceof SealedValueError) return ERASED;
    throw error;
  }
};
