import type { LocateZipCode, RegisterCustomer } from '@olist/customer';
import type { TrackShipment } from '@olist/fulfillment';
import type { SubmitReviewRow, RowCommand } from '@olist/ingestion';
import type { ListProduct, RegisterCategory, RegisterSeller } from '@olist/marketplace';
import type { AddOrderItem, PlaceOrder, ReceivePayment } from '@olist/sales';
import type { Decision, DomainEvent } from '@olist/shared-kernel';
import { Command } from '@nestjs/cqrs';
import type { BatchUnitOfWork, RowContext } from './batch-unit-of-work.js';

/** A row's domain command, sent through the CommandBus; its handler decides inside the batch's unit of work. */
export abstract class RowCommandMessage<C> extends Command<Decision<DomainEvent>> {
  constructor(readonly command: C, readonly uow: BatchUnitOfWork, readonly context: RowContext) {
    super();
  }
}

export class RegisterCategoryCommand extends RowCommandMessage<RegisterCategory> {}
export class RegisterSellerCommand extends RowCommandMessage<RegisterSeller> {}
export class ListProductCommand extends RowCommandMessage<ListProduct> {}
export class RegisterCustomerCommand extends RowCommandMessage<RegisterCustomer> {}
export class LocateZipCodeCommand extends RowCommandMessage<LocateZipCode> {}
export class PlaceOrderCommand extends RowCommandMessage<PlaceOrder> {}
export class TrackShipmentCommand extends RowCommandMessage<TrackShipment> {}
export class AddOrderItemCommand extends RowCommandMessage<AddOrderItem> {}
export class ReceivePaymentCommand extends RowCommandMessage<ReceivePayment> {}
export class SubmitReviewCommand extends RowCommandMessage<SubmitReviewRow> {}

/** Wraps a parsed row command in its CommandBus message. */
export const toMessage = (command: RowCommand, uow: BatchUnitOfWork, context: RowContext): RowCommandMessage<unknown> => {
  switch (command.type) {
    case 'RegisterCategory': return new RegisterCategoryCommand(command, uow, context);
    case 'RegisterSeller': return new RegisterSellerCommand(command, uow, context);
    case 'ListProduct': return new ListProductCommand(command, uow, context);
    case 'RegisterCustomer': return new RegisterCustomerCommand(command, uow, context);
    case 'LocateZipCode': return new LocateZipCodeCommand(command, uow, context);
    case 'PlaceOrder': return new PlaceOrderCommand(command, uow, context);
    case 'TrackShipment': return new TrackShipmentCommand(command, uow, context);
    case 'AddOrderItem': return new AddOrderItemCommand(command, uow, context);
    case 'ReceivePayment': return new ReceivePaymentCommand(command, uow, context);
    case 'SubmitReview': return new SubmitReviewCommand(command, uow, context);
    default: {
      const unhandled: never = command;
      throw new Error(`no message for ${JSON.stringify(unhandled)}`);
    }
  }
};

