import { accepted, rejected, streamId, type Decider, type DomainEvent } from '@olist/shared-kernel';

/**
 * What of the Olist data is a person's (docs/personal-data.md). The data subject is the person,
 * `customer_unique_id`: an id Olist minted at random, pseudonymous, kept in the clear so orders still count per
 * person after an erasure. Their personal fields are sealed with data keys, one per customer id the person holds
 * (a review is sealed with the key of its order's customer); erasing the person deletes those keys.
 */

/** What a personal field reads as once its key is deleted. */
export const ERASED = '[erased]';
/** What a personal field is stored as when no data subject can be told for it (a rejected row without its key column). */
export const WITHHELD = '[withheld]';

/** The personal fields of each event type that has any (in `data`). */
export const PERSONAL_EVENT_FIELDS: Readonly<Record<string, ReadonlyArray<string>>> = {
  CustomerRegistered: ['zipPrefix', 'city', 'state'],
  CustomerAddressCorrected: ['zipPrefix', 'city', 'state'],
  ReviewSubmitted: ['commentTitle', 'commentMessage'],
  ReviewCorrected: ['commentTitle', 'commentMessage'],
};

/**
 * A source file's personal columns, and the column that leads to the key they are sealed with (customers: the
 * row's customer_id; reviews: the reviewed order's customer). By the file's logical name.
 */
export interface PersonalColumns {
  readonly columns: ReadonlyArray<string>;
  readonly keyedBy: 'customer_id' | 'order_id';
}

export const PERSONAL_SOURCE_COLUMNS: Readonly<Record<string, PersonalColumns>> = {
  customers: { columns: ['customer_zip_code_prefix', 'customer_city', 'customer_state'], keyedBy: 'customer_id' },
  reviews: { columns: ['review_comment_title', 'review_comment_message'], keyedBy: 'order_id' },
};

export const personalColumnsOf = (file: { readonly name: string }): PersonalColumns | undefined => PERSONAL_SOURCE_COLUMNS[file.name];

/** The personal fields of the row commands that carry any: set to {@link ERASED} for a person already erased. */
export const PERSONAL_COMMAND_FIELDS: Readonly<Record<string, ReadonlyArray<string>>> = {
  RegisterCustomer: ['zipPrefix', 'city', 'state'],
  SubmitReview: ['commentTitle', 'commentMessage'],
};

/**
 * A rejected row keeps its raw values (`RowRejected.data.raw`): those of a file's personal columns are sealed
 * like an event's fields. They stay sealed in the quarantine too, opened only where a person reads them.
 */
export const REJECTED_ROW_EVENT = 'RowRejected';

/** The star schema's personal columns (DuckDB): set to {@link ERASED} when their subject is erased. */
export const PERSONAL_STAR_SCHEMA_COLUMNS: Readonly<Record<string, ReadonlyArray<string>>> = {
  'core.dim_customer': ['zip_prefix', 'city', 'state'],
};

export const isPersonalColumn = (table: string, column: string): boolean => PERSONAL_STAR_SCHEMA_COLUMNS[table]?.includes(column) ?? false;

/** A person's data made unreadable: their data keys were deleted. Holds ids only, no personal data. */
export type PersonalDataErased = DomainEvent<'PersonalDataErased', {
  /** The person (customer_unique_id). */
  readonly subjectId: string;
  /** The deleted data keys: the person's customer ids. */
  readonly keyIds: ReadonlyArray<string>;
  /** Why (a reference such as a ticket number; never personal data itself). */
  readonly reason: string;
  readonly erasedAt: string;
}>;
export type PersonalDataEvent = PersonalDataErased;

export interface EraseDataSubject {
  readonly type: 'EraseDataSubject';
  readonly subjectId: string;
  /** The subject's data keys known when the erasure is decided. */
  readonly keyIds: ReadonlyArray<string>;
  readonly reason: string;
  readonly requestedAt: string;
}

/** Every erasure, one stream: read whole when keys are reconciled with the log (after a restore). */
export const ERASURES_STREAM = streamId('erasures', 'personal-data');

export interface ErasuresState {
  readonly erased: ReadonlyMap<string, PersonalDataErased['data']>;
}

/** A person is erased once: asking again changes nothing. A person of whom nothing is held cannot be erased. */
export const erasureDecider: Decider<EraseDataSubject, ErasuresState, PersonalDataEvent> = {
  initialState: () => ({ erased: new Map() }),
  decide: (command, state) => {
    if (state.erased.has(command.subjectId)) return accepted();
    if (command.keyIds.length === 0) return rejected(`no personal data is held for data subject ${command.subjectId}`);
    return accepted({
      type: 'PersonalDataErased',
      data: { subjectId: command.subjectId, keyIds: [...command.keyIds].sort(), reason: command.reason, erasedAt: command.requestedAt },
    });
  },
  evolve: (state, event) => ({ erased: new Map(state.erased).set(event.data.subjectId, event.data) }),
  occurredAt: (event) => event.data.erasedAt,
};
