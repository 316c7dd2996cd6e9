import { WrongExpectedVersionError, type AppendRequest, type EventStore } from '@olist/event-store';
import { pipelineRunDecider, pipelineRunStreamId } from '@olist/etl-orchestration';
import { RowParser, type ParsedRow, type RowCommand } from '@olist/ingestion';
import { deterministicId, rowHash, type Decision, type DomainEvent } from '@olist/shared-kernel';
import { Inject, Logger, NotFoundException } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE } from '@olist/platform';
import { BatchUnitOfWork, type RowContext } from './batch-unit-of-work.js';
import { toEventData } from './event-envelope.js';
import { IngestBatchCommand, type BatchResult, type RowOutcome } from './ingest-batch.command.js';
import { streamsRead } from './row-handlers.js';
import { toMessage } from './row-commands.js';

const MAX_ATTEMPTS = 8;

/**
 * Ingests a batch: parses every row, loads the aggregates the batch touches in one read, sends one
 * command per row through the CommandBus (each handler decides in the batch's unit of work), and appends
 * the accepted events and the RowRejected events in one atomic append. A concurrent writer on one of the
 * streams makes the append fail on its expected revision: the batch is then decided again from fresh state.
 */
@CommandHandler(IngestBatchCommand)
export class IngestBatchHandler implements ICommandHandler<IngestBatchCommand> {
  private readonly logger = new Logger(IngestBatchHandler.name);
  private readonly knownRuns = new Set<string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly commandBus: CommandBus,
  ) {}

  async execute(batch: IngestBatchCommand): Promise<BatchResult> {
    await this.assertRunStarted(batch.runId);
    const parser = new RowParser(batch.file, batch.header);
    const parsed = batch.rows.map((row) => parser.parse(row.values));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(batch, parsed);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        this.logger.debug(`batch of ${batch.file.name} raced on ${error.streamId}; deciding again (attempt ${attempt + 1})`);
      }
    }
  }

  private async assertRunStarted(runId: string): Promise<void> {
    if (this.knownRuns.has(runId)) return;
    const first = await this.store.readStream(pipelineRunStreamId(runId), { maxCount: 1 });
    if (first.length === 0) throw new NotFoundException(`pipeline run ${runId} was not started: POST /v1/pipeline-runs first`);
    this.knownRuns.add(runId);
  }

  private async attempt(batch: IngestBatchCommand, parsed: ReadonlyArray<ParsedRow>): Promise<BatchResult> {
    const streams = parsed.flatMap((p) => (p.kind === 'commands' ? p.commands.flatMap(streamsRead) : []));
    const t0 = performance.now();
    const uow = await BatchUnitOfWork.load(this.store, streams);
    const t1 = performance.now();
    const recordedAt = new Date().toISOString();
    const decided: Array<{ line: number; commandId: string; outcome: 'accepted' | 'duplicate' } | { line: number; outcome: 'rejected'; reasons: ReadonlyArray<string> }> = [];

    for (const [i, row] of batch.rows.entries()) {
      const hash = rowHash(row.values);
      const context: RowContext = {
        runId: batch.runId,
        actor: batch.actor,
        recordedAt,
        provenance: { file: batch.file.fileName, line: row.line, rowHash: hash },
        commandId: deterministicId('ingest-row', batch.runId, batch.file.name, row.line, hash),
      };
      const p = parsed[i]!;
      const outcome = p.kind === 'invalid' ? { reasons: p.reasons } : await this.decideRow(p.commands, uow, context);
      if ('reasons' in outcome) {
        decided.push({ line: row.line, outcome: 'rejected', reasons: outcome.reasons });
        uow.appendUnconditionally(this.rejection(batch, row.line, row.values, outcome.reasons, context));
      } else {
        decided.push({ line: row.line, commandId: context.commandId, outcome: outcome.events > 0 ? 'accepted' : 'duplicate' });
      }
    }
    const t2 = performance.now();
    const { eventsAppended, alreadyStored } = await uow.commit(this.store);
    this.logger.debug(
      `${batch.file.name}: ${batch.rows.length} rows, ${eventsAppended} events; load ${(t1 - t0).toFixed(0)} ms, decide ${(t2 - t1).toFixed(0)} ms, append ${(performance.now() - t2).toFixed(0)} ms`,
    );
    const results: RowOutcome[] = decided.map((d) =>
      d.outcome === 'rejected' ? d : { line: d.line, outcome: d.outcome === 'accepted' && alreadyStored(d.commandId) ? 'duplicate' : d.outcome },
    );
    const accepted = results.filter((r) => r.outcome === 'accepted').length;
    const duplicates = results.filter((r) => r.outcome === 'duplicate').length;
    return { file: batch.file.name, accepted, duplicates, rejected: results.length - accepted - duplicates, eventsAppended, results };
  }

  /**
   * Sends the row's commands in order and stops at the first rejection. Only the last command of a row
   * can reject once an earlier one was accepted (an order row's shipment tracking never rejects), so a
   * rejected row leaves no events behind.
   */
  private async decideRow(
    commands: ReadonlyArray<RowCommand>,
    uow: BatchUnitOfWork,
    context: RowContext,
  ): Promise<{ readonly reasons: ReadonlyArray<string> } | { readonly events: number }> {
    let events = 0;
    for (const command of commands) {
      const decision: Decision<DomainEvent> = await this.commandBus.execute(toMessage(command, uow, context));
      if (decision.kind === 'rejected') return { reasons: decision.reasons };
      events += decision.events.length;
    }
    return { events };
  }

  /**
   * The run's aggregate records the rejection. Its decision only depends on the run existing (checked with
   * one read of the stream's first event), so the stream, which holds every rejection of the run, is not folded.
   */
  private rejection(batch: IngestBatchCommand, line: number, values: ReadonlyArray<string>, reasons: ReadonlyArray<string>, context: RowContext): AppendRequest {
    const raw: Record<string, string> = {};
    batch.header.forEach((column, i) => (raw[column] = values[i] ?? ''));
    values.slice(batch.header.length).forEach((v, i) => (raw[`extra_${i + 1}`] = v));
    const decision = pipelineRunDecider.decide(
      { type: 'RecordRowRejection', runId: batch.runId, file: batch.file.name, line, raw, reasons },
      { status: 'running' },
    );
    if (decision.kind === 'rejected') throw new NotFoundException(decision.reasons.join('; '));
    const stream = pipelineRunStreamId(batch.runId);
    // A rejection is identified by its place in the file too: the same bad row on two lines is two rejections.
    const id = (event: DomainEvent) => deterministicId(stream, event.type, batch.file.name, line, context.provenance.rowHash);
    return { streamId: stream, expectedRevision: 'any', events: decision.events.map((event) => toEventData(event, id(event), context)) };
  }
}
