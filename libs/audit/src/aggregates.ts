import { customerDecider, reviewDecider, zipCodeDecider } from '@olist/customer';
import { ingestionBatchDecider, pipelineRunDecider } from '@olist/etl-orchestration';
import type { RecordedEvent } from '@olist/event-store';
import { shipmentDecider } from '@olist/fulfillment';
import { categoryDecider, productDecider, sellerDecider } from '@olist/marketplace';
import { orderDecider } from '@olist/sales';
import { fold, streamCategory, type Decider, type DomainEvent } from '@olist/shared-kernel';

type Folding = Pick<Decider<never, unknown, DomainEvent>, 'initialState' | 'evolve'>;

/** Each stream category's aggregate and the context that owns it: its own `evolve` rebuilds the state. */
const AGGREGATES: Readonly<Record<string, { readonly context: string; readonly decider: Folding }>> = {
  order: { context: 'sales', decider: orderDecider as unknown as Folding },
  shipment: { context: 'fulfillment', decider: shipmentDecider as unknown as Folding },
  customer: { context: 'customer', decider: customerDecider as unknown as Folding },
  zip: { context: 'customer', decider: zipCodeDecider as unknown as Folding },
  review: { context: 'customer', decider: reviewDecider as unknown as Folding },
  seller: { context: 'marketplace', decider: sellerDecider as unknown as Folding },
  product: { context: 'marketplace', decider: productDecider as unknown as Folding },
  category: { context: 'marketplace', decider: categoryDecider as unknown as Folding },
  pipeline_run: { context: 'etl-orchestration', decider: pipelineRunDecider as unknown as Folding },
  ingestion_batch: { context: 'etl-orchestration', decider: ingestionBatchDecider as unknown as Folding },
};

export const aggregateOf = (streamId: string) => AGGREGATES[streamCategory(streamId)];

/** A state as JSON: Maps as objects (or lists of pairs), Sets as lists, bigints as text. */
export const plain = (value: unknown): unknown => {
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [typeof k === 'string' ? k : String(k), plain(v)] as const);
    return Object.fromEntries(entries);
  }
  if (value instanceof Set) return [...value].map(plain);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
};

/** The aggregate's state after `events` (its stream's events up to a point), folded by its context's evolve. */
export const foldAggregate = (streamId: string, events: ReadonlyArray<RecordedEvent>): unknown => {
  const aggregate = aggregateOf(streamId);
  if (!aggregate) return undefined;
  return plain(fold(aggregate.decider, events.map((e) => ({ type: e.type, data: e.data as object }))));
};
