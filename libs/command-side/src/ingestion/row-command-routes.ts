import { customerDecider, customerStreamId, reviewDecider, reviewStreamId, zipCodeDecider, zipCodeStreamId } from '@olist/customer';
import { shipmentDecider, shipmentStreamId } from '@olist/fulfillment';
import type { RowCommand } from '@olist/ingestion';
import { categoryDecider, categoryStreamId, productDecider, productStreamId, sellerDecider, sellerStreamId } from '@olist/marketplace';
import { orderDecider, orderStreamId } from '@olist/sales';
import type { CausationContext } from '@olist/event-catalog';
import type { Decider, Decision, DomainEvent, Provenance } from '@olist/shared-kernel';

/** The causation of one source row's events: its provenance is always known. */
export type RowContext = CausationContext & { readonly provenance: Provenance };

/** What a route needs of the batch's unit of work (BatchUnitOfWork). */
export interface DecidingUnit {
  /** Lets the aggregate of `streamId` decide on the state folded from its stream. */
  decide<C, S, E extends DomainEvent>(streamId: string, decider: Decider<C, S, E>, command: C, context: RowContext): Decision<E>;
  /** Whether the stream has any event, loaded or decided in this batch. */
  exists(streamId: string): boolean;
}

/** Where a row command goes: the aggregate that decides it, and every stream its decision reads. */
export interface RowCommandRoute<C extends RowCommand> {
  /** The streams the decision reads, the deciding aggregate's first: loaded for the whole batch before any row is decided. */
  readonly streamsRead: (command: C) => ReadonlyArray<string>;
  /** Lets the aggregate decide, on the state folded from its stream in the batch's unit of work. */
  readonly decide: (command: C, uow: DecidingUnit, context: RowContext) => Decision<DomainEvent>;
}

/** The command goes as it is to the aggregate of `streamOf(command)`. */
const decidedBy = <C extends RowCommand, S, E extends DomainEvent>(streamOf: (command: C) => string, decider: Decider<C, S, E>): RowCommandRoute<C> => ({
  streamsRead: (command) => [streamOf(command)],
  decide: (command, uow, context) => uow.decide(streamOf(command), decider, command, context),
});

type RowCommandOf<T extends RowCommand['type']> = Extract<RowCommand, { type: T }>;

/** One entry per row command: the one place that says which aggregate decides what. */
export const ROW_COMMAND_ROUTES: { readonly [T in RowCommand['type']]: RowCommandRoute<RowCommandOf<T>> } = {
  // Marketplace
  RegisterCategory: decidedBy((c: RowCommandOf<'RegisterCategory'>) => categoryStreamId(c.category), categoryDecider),
  RegisterSeller: decidedBy((c: RowCommandOf<'RegisterSeller'>) => sellerStreamId(c.sellerId), sellerDecider),
  ListProduct: decidedBy((c: RowCommandOf<'ListProduct'>) => productStreamId(c.productId), productDecider),
  // Customer
  RegisterCustomer: decidedBy((c: RowCommandOf<'RegisterCustomer'>) => customerStreamId(c.customerUniqueId), customerDecider),
  LocateZipCode: decidedBy((c: RowCommandOf<'LocateZipCode'>) => zipCodeStreamId(c.zipPrefix), zipCodeDecider),
  // A review's aggregate needs to know whether the reviewed order exists: it reads the order's stream too.
  SubmitReview: {
    streamsRead: (c) => [reviewStreamId(c.reviewId), orderStreamId(c.orderId)],
    decide: (c, uow, context) => uow.decide(reviewStreamId(c.reviewId), reviewDecider, { ...c, orderKnown: uow.exists(orderStreamId(c.orderId)) }, context),
  },
  // Sales
  PlaceOrder: decidedBy((c: RowCommandOf<'PlaceOrder'>) => orderStreamId(c.orderId), orderDecider),
  AddOrderItem: decidedBy((c: RowCommandOf<'AddOrderItem'>) => orderStreamId(c.orderId), orderDecider),
  ReceivePayment: decidedBy((c: RowCommandOf<'ReceivePayment'>) => orderStreamId(c.orderId), orderDecider),
  // Fulfillment
  TrackShipment: decidedBy((c: RowCommandOf<'TrackShipment'>) => shipmentStreamId(c.orderId), shipmentDecider),
};

export const routeOf = <C extends RowCommand>(command: C): RowCommandRoute<C> => ROW_COMMAND_ROUTES[command.type as C['type']] as unknown as RowCommandRoute<C>;
