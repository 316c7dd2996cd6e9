import { customerDecider, customerStreamId, reviewDecider, reviewStreamId, zipCodeDecider, zipCodeStreamId } from '@olist/customer';
import { shipmentDecider, shipmentStreamId } from '@olist/fulfillment';
import type { RowCommand } from '@olist/ingestion';
import { categoryDecider, categoryStreamId, productDecider, productStreamId, sellerDecider, sellerStreamId } from '@olist/marketplace';
import { orderDecider, orderStreamId } from '@olist/sales';
import type { Decider, Decision, DomainEvent } from '@olist/shared-kernel';
import type { Type } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  AddOrderItemCommand, ListProductCommand, LocateZipCodeCommand, PlaceOrderCommand, ReceivePaymentCommand,
  RegisterCategoryCommand, RegisterCustomerCommand, RegisterSellerCommand, SubmitReviewCommand, TrackShipmentCommand,
  type RowCommandMessage,
} from './row-commands.js';

/**
 * A row command's handler: it loads the command's aggregate from the batch's unit of work and lets it
 * decide. One Nest handler class per command, made by this factory.
 */
const rowHandler = <C, S, E extends DomainEvent>(
  message: Type<RowCommandMessage<C>>,
  streamOf: (command: C) => string,
  decider: Decider<C, S, E>,
) => {
  @CommandHandler(message)
  class RowHandler implements ICommandHandler<RowCommandMessage<C>> {
    async execute({ command, uow, context }: RowCommandMessage<C>): Promise<Decision<DomainEvent>> {
      return uow.decide(streamOf(command), decider, command, context);
    }
  }
  Object.defineProperty(RowHandler, 'name', { value: `${message.name.replace(/Command$/, '')}Handler` });
  return RowHandler;
};

const DECIDING_HANDLERS = [
  // Marketplace
  rowHandler(RegisterCategoryCommand, (c) => categoryStreamId(c.category), categoryDecider),
  rowHandler(RegisterSellerCommand, (c) => sellerStreamId(c.sellerId), sellerDecider),
  rowHandler(ListProductCommand, (c) => productStreamId(c.productId), productDecider),
  // Customer
  rowHandler(RegisterCustomerCommand, (c) => customerStreamId(c.customerUniqueId), customerDecider),
  rowHandler(LocateZipCodeCommand, (c) => zipCodeStreamId(c.zipPrefix), zipCodeDecider),
  // Sales
  rowHandler(PlaceOrderCommand, (c) => orderStreamId(c.orderId), orderDecider),
  rowHandler(AddOrderItemCommand, (c) => orderStreamId(c.orderId), orderDecider),
  rowHandler(ReceivePaymentCommand, (c) => orderStreamId(c.orderId), orderDecider),
  // Fulfillment
  rowHandler(TrackShipmentCommand, (c) => shipmentStreamId(c.orderId), shipmentDecider),
];

/** A review needs to know whether its order exists: it reads the order's stream too. */
@CommandHandler(SubmitReviewCommand)
export class SubmitReviewHandler implements ICommandHandler<SubmitReviewCommand> {
  async execute({ command, uow, context }: SubmitReviewCommand): Promise<Decision<DomainEvent>> {
    const orderKnown = uow.exists(orderStreamId(command.orderId));
    return uow.decide(reviewStreamId(command.reviewId), reviewDecider, { ...command, orderKnown }, context);
  }
}

export const ROW_COMMAND_HANDLERS: ReadonlyArray<Type<ICommandHandler>> = [...DECIDING_HANDLERS, SubmitReviewHandler];

/** The streams a row command reads, loaded for the whole batch before any row is decided. */
export const streamsRead = (command: RowCommand): string[] => {
  switch (command.type) {
    case 'RegisterCategory': return [categoryStreamId(command.category)];
    case 'RegisterSeller': return [sellerStreamId(command.sellerId)];
    case 'ListProduct': return [productStreamId(command.productId)];
    case 'RegisterCustomer': return [customerStreamId(command.customerUniqueId)];
    case 'LocateZipCode': return [zipCodeStreamId(command.zipPrefix)];
    case 'PlaceOrder':
    case 'AddOrderItem':
    case 'ReceivePayment': return [orderStreamId(command.orderId)];
    case 'TrackShipment': return [shipmentStreamId(command.orderId)];
    case 'SubmitReview': return [reviewStreamId(command.reviewId), orderStreamId(command.orderId)];
    default: {
      const unhandled: never = command;
      throw new Error(`no streams for ${JSON.stringify(unhandled)}`);
    }
  }
};
