import { customerDecider, customerStreamId, reviewDecider, reviewStreamId, zipCodeDecider, zipCodeStreamId } from '@olist/customer';
import { shipmentDecider, shipmentStreamId } from '@olist/fulfillment';
import type { RowCommand } from '@olist/ingestion';
import { categoryDecider, categoryStreamId, productDecider, productStreamId, sellerDecider, sellerStreamId } from '@olist/marketplace';
import { orderDecider, orderStreamId } from '@olist/sales';
import type { Decision, DomainEvent } from '@olist/shared-kernel';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  AddOrderItemCommand, ListProductCommand, LocateZipCodeCommand, PlaceOrderCommand, ReceivePaymentCommand,
  RegisterCategoryCommand, RegisterCustomerCommand, RegisterSellerCommand, SubmitReviewCommand, TrackShipmentCommand,
} from './row-commands.js';

type Result = Promise<Decision<DomainEvent>>;

// Marketplace
@CommandHandler(RegisterCategoryCommand)
export class RegisterCategoryHandler implements ICommandHandler<RegisterCategoryCommand> {
  async execute({ command, uow, context }: RegisterCategoryCommand): Result {
    return uow.decide(categoryStreamId(command.category), categoryDecider, command, context);
  }
}
@CommandHandler(RegisterSellerCommand)
export class RegisterSellerHandler implements ICommandHandler<RegisterSellerCommand> {
  async execute({ command, uow, context }: RegisterSellerCommand): Result {
    return uow.decide(sellerStreamId(command.sellerId), sellerDecider, command, context);
  }
}
@CommandHandler(ListProductCommand)
export class ListProductHandler implements ICommandHandler<ListProductCommand> {
  async execute({ command, uow, context }: ListProductCommand): Result {
    return uow.decide(productStreamId(command.productId), productDecider, command, context);
  }
}

// Customer
@CommandHandler(RegisterCustomerCommand)
export class RegisterCustomerHandler implements ICommandHandler<RegisterCustomerCommand> {
  async execute({ command, uow, context }: RegisterCustomerCommand): Result {
    return uow.decide(customerStreamId(command.customerUniqueId), customerDecider, command, context);
  }
}
@CommandHandler(LocateZipCodeCommand)
export class LocateZipCodeHandler implements ICommandHandler<LocateZipCodeCommand> {
  async execute({ command, uow, context }: LocateZipCodeCommand): Result {
    return uow.decide(zipCodeStreamId(command.zipPrefix), zipCodeDecider, command, context);
  }
}
@CommandHandler(SubmitReviewCommand)
export class SubmitReviewHandler implements ICommandHandler<SubmitReviewCommand> {
  async execute({ command, uow, context }: SubmitReviewCommand): Result {
    const orderKnown = uow.exists(orderStreamId(command.orderId));
    return uow.decide(reviewStreamId(command.reviewId), reviewDecider, { ...command, orderKnown }, context);
  }
}

// Sales
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  async execute({ command, uow, context }: PlaceOrderCommand): Result {
    return uow.decide(orderStreamId(command.orderId), orderDecider, command, context);
  }
}
@CommandHandler(AddOrderItemCommand)
export class AddOrderItemHandler implements ICommandHandler<AddOrderItemCommand> {
  async execute({ command, uow, context }: AddOrderItemCommand): Result {
    return uow.decide(orderStreamId(command.orderId), orderDecider, command, context);
  }
}
@CommandHandler(ReceivePaymentCommand)
export class ReceivePaymentHandler implements ICommandHandler<ReceivePaymentCommand> {
  async execute({ command, uow, context }: ReceivePaymentCommand): Result {
    return uow.decide(orderStreamId(command.orderId), orderDecider, command, context);
  }
}

// Fulfillment
@CommandHandler(TrackShipmentCommand)
export class TrackShipmentHandler implements ICommandHandler<TrackShipmentCommand> {
  async execute({ command, uow, context }: TrackShipmentCommand): Result {
    return uow.decide(shipmentStreamId(command.orderId), shipmentDecider, command, context);
  }
}

export const ROW_COMMAND_HANDLERS = [
  RegisterCategoryHandler, RegisterSellerHandler, ListProductHandler, RegisterCustomerHandler, LocateZipCodeHandler,
  SubmitReviewHandler, PlaceOrderHandler, AddOrderItemHandler, ReceivePaymentHandler, TrackShipmentHandler,
];

/** The streams a row command reads: its aggregate's, plus the order's for a review (it must exist). */
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
