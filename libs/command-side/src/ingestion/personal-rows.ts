import type { IngestBatchCommand } from './ingest-batch.command.js';
import type { RowCommand, RowParser } from '@olist/ingestion';
import { ERASED, KeyRing, PERSONAL_COMMAND_FIELDS, personalColumnsOf, personalHash, type PersonalDataProtection } from '@olist/personal-data';
import { orderDecider, orderStreamId } from '@olist/sales';
import { isSourceId, rowHash } from '@olist/shared-kernel';
import type { BatchUnitOfWork } from './batch-unit-of-work.js';

/** How one row of a batch is identified and keyed (docs/personal-data.md). */
export interface RowIdentity {
  /** SHA-256 of the row; of a row with personal data, of its other values only (ids stay the same after an erasure). */
  readonly rowHash: string;
  /** The keyed hash of the row's personal values, while its key exists. */
  readonly personalHash?: string;
  /** The data key that seals the row's personal values (a customer id), if one can be told. */
  readonly personalDataKey?: string;
  /** The person is erased: the row's personal values are recorded as erased. */
  readonly erased: boolean;
}

/**
 * The personal side of a batch's rows: which data key each row's personal values take (customers: the row's
 * customer id; reviews: the customer of the reviewed order, from the order's stream the batch loaded), made in
 * the key store where missing. Rows of files without personal data hash as they always did.
 */
export class PersonalRows {
  private constructor(
    private readonly batch: IngestBatchCommand,
    private readonly positions: ReadonlyArray<number>,
    private readonly keyIds: ReadonlyArray<string | undefined>,
    private readonly ring: KeyRing,
  ) {}

  /** The order streams a reviews batch must load to tell its rows' keys (including rows that will be rejected). */
  static streamsRead(batch: IngestBatchCommand, columns: RowParser): ReadonlyArray<string> {
    if (personalColumnsOf(batch.file)?.keyedBy !== 'order_id') return [];
    const at = columns.positionOf('order_id');
    return at < 0 ? [] : [...new Set(batch.rows.map((r) => idAt(r.values, at)).filter((id) => id !== ''))].map(orderStreamId);
  }

  /** `columns`: where the batch's rows hold each of the file's columns. */
  static async of(batch: IngestBatchCommand, columns: RowParser, uow: BatchUnitOfWork, protection: PersonalDataProtection): Promise<PersonalRows> {
    const personal = personalColumnsOf(batch.file);
    if (!personal) return new PersonalRows(batch, [], [], KeyRing.EMPTY);
    const positions = personal.columns.map((c) => columns.positionOf(c)).filter((i) => i >= 0);
    const at = (column: string): number => columns.positionOf(column);
    const keyed = at(personal.keyedBy);
    const subjectAt = personal.keyedBy === 'customer_id' ? at('customer_unique_id') : -1;
    const wanted: Array<{ keyId: string; subjectId?: string }> = [];
    const keyIds = batch.rows.map((row) => {
      const value = idAt(row.values, keyed);
      if (value === '') return undefined;
      let keyId: string | undefined = value;
      if (personal.keyedBy === 'order_id') {
        const { state } = uow.loadedState(orderStreamId(value), orderDecider);
        keyId = state.status === 'placed' ? state.customerId : undefined;
      }
      if (keyId === undefined) return undefined;
      const subjectId = idAt(row.values, subjectAt);
      wanted.push(subjectId ? { keyId, subjectId } : { keyId });
      return keyId;
    });
    return new PersonalRows(batch, positions, keyIds, await protection.keys.ensure(wanted));
  }

  identity(i: number): RowIdentity {
    const values = this.batch.rows[i]!.values;
    if (this.positions.length === 0) return { rowHash: rowHash(values), erased: false };
    const blanked = [...values];
    for (const p of this.positions) blanked[p] = '';
    const keyId = this.keyIds[i];
    const key = keyId === undefined ? undefined : this.ring.get(keyId);
    return {
      rowHash: rowHash(blanked),
      ...(key && key !== 'erased' ? { personalHash: personalHash(key.hashKey, this.positions.map((p) => values[p] ?? '')) } : {}),
      ...(keyId !== undefined ? { personalDataKey: keyId } : {}),
      erased: key === 'erased',
    };
  }
}

/**
 * The id at a row's position, '' when there is none or it is no identifier: a row without one is rejected, and its
 * personal values are withheld (no key seals them), rather than a key or stream named by whatever the value holds.
 */
const idAt = (values: ReadonlyArray<string>, position: number): string => {
  const id = position < 0 ? '' : (values[position]?.trim() ?? '');
  return isSourceId(id) ? id : '';
};

/** A row command with its personal fields recorded as erased. */
export const erasedCommand = <C extends RowCommand>(command: C): C => {
  const fields = PERSONAL_COMMAND_FIELDS[command.type];
  if (!fields) return command;
  const erased: Record<string, unknown> = { ...command };
  for (const f of fields) if (erased[f] !== null) erased[f] = ERASED;
  return erased as C;
};
