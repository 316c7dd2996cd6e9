/**
 * Turns the data of one stored schema version of an event type into the next version's. A context declares
 * its upcasters next to its events; the event store's schema registry chains them on every read.
 */
export interface EventUpcaster {
  readonly type: string;
  /** The version this upcaster reads; it produces `fromVersion + 1`. */
  readonly fromVersion: number;
  readonly upcast: (data: unknown) => unknown;
}
