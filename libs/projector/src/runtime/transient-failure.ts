import { isStorageFailure } from '@olist/duckdb';
import { EventStoreUnavailableError } from '@olist/event-store';
import { isConnectionFailure } from '@olist/postgres';

/**
 * Failures of a projection that trying again later can cure, with nothing to repair: DuckDB could not write its
 * file (a full disk), PostgreSQL could not be reached or ended the session (a restart), the event store was
 * unavailable. A projection retried after one resumes from the checkpoint it reads back.
 */
export const isTransientFailure = (error: Error): boolean =>
  isStorageFailure(error) || isConnectionFailure(error) || error instanceof EventStoreUnavailableError;

/** What lets a projection stopped by `error` go on by itself, said to the operator ('' when nothing will). */
export const whatCures = (error: Error): string =>
  isStorageFailure(error)
    ? ' once DuckDB can write (free space on that disk)'
    : isConnectionFailure(error)
      ? ' once PostgreSQL answers again'
      : error instanceof EventStoreUnavailableError
        ? ' once the event store answers again'
        : '';
