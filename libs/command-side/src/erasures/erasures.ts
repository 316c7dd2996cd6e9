import { customerStreamId } from '@olist/customer';
import { toEventData } from '@olist/event-catalog';
import { WrongExpectedVersionError, type EventStore } from '@olist/event-store';
import { EVENT_STORE, PERSONAL_DATA } from '@olist/infrastructure';
import {
  ERASURES_STREAM, erasureDecider, type PersonalDataErased, type PersonalDataEvent, type PersonalDataProtection,
} from '@olist/personal-data';
import { actorOf, Roles } from '@olist/security';
import { ApplicationError, CommandIds, EventIds, fold } from '@olist/shared-kernel';
import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class EraseDataSubjectCommand {
  constructor(
    readonly subjectId: string,
    readonly reason: string,
    readonly actor: string,
  ) {}
}

export interface ErasureResponse {
  readonly subjectId: string;
  readonly status: 'erased' | 'already-erased';
  /** The person's data keys (customer ids) now erased. */
  readonly keyIds: ReadonlyArray<string>;
  readonly erasedAt: string;
}

export class UnknownDataSubjectError extends ApplicationError {
  readonly code = 'PERSONAL_DATA.UNKNOWN_SUBJECT';
  readonly kind = 'not_found';
}

const MAX_ATTEMPTS = 5;

/**
 * Erases a person: decides `PersonalDataErased` on the erasures stream (once per person), appends it, then
 * deletes the person's data keys. The event comes first: should the key deletion fail, every process erases the
 * keys the log names when it opens the store (the same reconciliation that re-erases a restored key-store backup).
 */
@CommandHandler(EraseDataSubjectCommand)
export class EraseDataSubjectHandler implements ICommandHandler<EraseDataSubjectCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtection,
  ) {}

  async execute({ subjectId, reason, actor }: EraseDataSubjectCommand): Promise<ErasureResponse> {
    for (let attempt = 1; ; attempt++) {
      const registered = await this.store.readStream(customerStreamId(subjectId));
      const keyIds = new Set(await this.personalData.keys.keyIdsOf(subjectId));
      for (const e of registered) keyIds.add((e.data as { customerId: string }).customerId);
      const erasures = await this.store.readStream(ERASURES_STREAM);
      const state = fold(erasureDecider, erasures.map((e) => ({ type: e.type, data: e.data }) as PersonalDataEvent));
      const requestedAt = new Date().toISOString();
      const command = { type: 'EraseDataSubject' as const, subjectId, keyIds: [...keyIds], reason, requestedAt };
      const decision = erasureDecider.decide(command, state);
      if (decision.kind === 'rejected') throw new UnknownDataSubjectError(decision.reasons.join('; '), { subjectId });
      const earlier = state.erased.get(subjectId);
      if (earlier) {
        await this.personalData.keys.erase(subjectId, earlier.keyIds); // idempotent: also re-erases keys a restore brought back
        return { subjectId, status: 'already-erased', keyIds: earlier.keyIds, erasedAt: earlier.erasedAt };
      }
      const commandId = CommandIds.eraseDataSubject(subjectId);
      const context = { runId: commandId, actor, recordedAt: requestedAt, commandId };
      const events = decision.events.map((e) => toEventData(e, EventIds.personalDataErased(ERASURES_STREAM, subjectId), context, erasureDecider.occurredAt(e, command, state)));
      try {
        await this.store.appendToStream(ERASURES_STREAM, events, { expectedRevision: erasures.at(-1)?.revision ?? 'no_stream' });
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < MAX_ATTEMPTS) continue; // another erasure meanwhile
        throw error;
      }
      const erased = decision.events[0]!.data as PersonalDataErased['data'];
      await this.personalData.keys.erase(subjectId, erased.keyIds);
      return { subjectId, status: 'erased', keyIds: erased.keyIds, erasedAt: erased.erasedAt };
    }
  }
}

export class EraseDataSubjectDto {
  @ApiProperty({ description: "The person: Olist's customer_unique_id (32 hex digits)." })
  @IsString()
  @Matches(/^[0-9a-zA-Z_-]{1,64}$/, { message: 'customerUniqueId must be an Olist customer_unique_id (letters, digits, - or _; at most 64)' })
  customerUniqueId!: string;

  @ApiProperty({ description: 'Why: a reference such as a ticket number. Kept in the log and the audit trail, so never personal data itself.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  reason!: string;
}

/** LGPD right to erasure (docs/personal-data.md): admins only; the audit trail records who asked. */
@ApiTags('personal data')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/erasures')
export class ErasuresController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Erase a person's personal data (crypto-shredding): their data keys are deleted; every non-personal fact stays" })
  erase(@Body() body: EraseDataSubjectDto, @Req() request: object): Promise<ErasureResponse> {
    return this.commandBus.execute(new EraseDataSubjectCommand(body.customerUniqueId, body.reason, actorOf(request)));
  }
}
