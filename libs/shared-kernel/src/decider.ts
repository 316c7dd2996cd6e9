import type { DomainEvent } from './events.js';

/**
 * What an aggregate decided about a command: the new events (none when the fact is already known:
 * re-ingesting a row is a no-op), or a rejection with every reason that applies.
 */
export type Decision<E extends DomainEvent> =
  | { readonly kind: 'accepted'; readonly events: ReadonlyArray<E> }
  | { readonly kind: 'rejected'; readonly reasons: ReadonlyArray<string> };

export const accepted = <E extends DomainEvent>(...events: E[]): Decision<E> => ({ kind: 'accepted', events });
export const rejected = <E extends DomainEvent = never>(...reasons: string[]): Decision<E> => ({ kind: 'rejected', reasons });

/** Collects reasons and rejects with all of them, or accepts with the events `build` returns. */
export const decideUnless = <E extends DomainEvent>(
  reasons: ReadonlyArray<string | false | undefined | null>,
  build: () => ReadonlyArray<E>,
): Decision<E> => {
  const found = reasons.filter((r): r is string => typeof r === 'string');
  return found.length > 0 ? { kind: 'rejected', reasons: found } : { kind: 'accepted', events: build() };
};

/** A pure decider (Emmett / Chassaing style): no I/O, time and lookups come in with the command. */
export interface Decider<Command, State, E extends DomainEvent> {
  readonly initialState: () => State;
  readonly decide: (command: Command, state: State) => Decision<E>;
  readonly evolve: (state: State, event: E) => State;
  /**
   * When the fact an accepted event records happened in the business (its `occurredAt`), from the command
   * (the source's timestamps) and the state the command was decided on; never the clock. Null when the
   * source gives the fact no time (reference data: sellers, products, customers…).
   */
  readonly occurredAt: (event: E, command: Command, state: State) => string | null;
  /**
   * Two events the aggregate decided for commands of one batch, recorded as one event (the later folded into
   * the earlier), or undefined to keep them apart. Absent: every decided event is recorded on its own.
   */
  readonly coalesce?: (earlier: E, later: E) => E | undefined;
}

/** For facts the source never dates (reference data): no business time. */
export const undated = (): null => null;

export const fold = <State, E extends DomainEvent>(
  decider: Pick<Decider<unknown, State, E>, 'initialState' | 'evolve'>,
  events: ReadonlyArray<E>,
): State => events.reduce(decider.evolve, decider.initialState());
