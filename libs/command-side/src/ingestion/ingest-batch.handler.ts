import { EventStoreUnavailableError, WrongExpectedVersionError, type AppendRequest, type EventStore } from '@olist/event-store';
import { ingestionBatchDecider, ingestionBatchStreamId, pipelineRunDecider, pipelineRunStreamId } from '@olist/etl-orchestration';
import { RowParser, type ParsedRow, type RowCommand } from '@olist/ingestion';
import { deterministicId, rowHash, type Decision, type DomainEvent } from '@olist/shared-kernel';
import { Inject, Logger, NotFoundException } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE } from '@olist/infrastructure';
import { BatchUnitOfWork, WrittenEarlier, type RowContext } from './batch-unit-of-work.js';
import { toEventData } from '@olist/event-catalog';
import { IngestBatchCommand, type BatchResult, type RowOutcome } from './ingest-batch.command.js';
import { streamsRead } from './row-handlers.js';
import { toMessage } from './row-commands.js';

const MAX_ATTEMPTS = 8;

/** Pause before deciding a batch again after the store was unavailable (doubling per attempt). */
const UNAVAILABLE_DELAY_MS = 100;
const MAX_UNAVAILABLE_DELAY_MS = 2_000;

/**
 * Ingests a batch: parses every row, loads the aggregates the batch touches in one read, sends one
 * command per row through the CommandBus (each handler decides in the batch's unit of work), and appends
 * the accepted events and the RowRejected events in one append (atomic on PostgreSQL). A concurrent writer on
 * one of the streams makes the append fail on its expected revision: the batch is then decided again from fresh
 * state. On EventStoreDB a failed append (a race, or the server becoming unavailable) may have written some
 * streams already; the batch is then decided again here, and the next attempt finds those events stored and,
 * told by the error which they were, still answers their rows as accepted (as on PostgreSQL).
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
    const earlier = new WrittenEarlier();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.attempt(batch, parsed, earlier);
        await this.recordOutcome(batch, result);
        return result;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) throw error;
        if (error instanceof WrongExpectedVersionError) {
          this.logger.debug(`batch of ${batch.file.name} raced on ${error.streamId}; deciding again (attempt ${attempt + 1})`);
        } else if (error instanceof EventStoreUnavailableError && earlier.any) {
          // Part of the batch is written: deciding it here again (not in a re-post) keeps its rows counted as accepted.
          this.logger.warn(`batch of ${batch.file.name} partly written, then ${error.message}; deciding again (attempt ${attempt + 1})`);
          await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_UNAVAILABLE_DELAY_MS, UNAVAILABLE_DELAY_MS * 2 ** (attempt - 1))));
        } else {
          throw error;
        }
      }
    }
  }

  /**
   * The server's statistics of the batch, on the batch's own stream (so concurrent batches do not contend):
   * decided as a first outcome, appended only if the stream is new. A crash between the batch's append and
   * this one leaves the batch uncounted until the same lines are posted again (then as duplicates).
   */
  private async recordOutcome(batch: IngestBatchCommand, result: BatchResult): Promise<void> {
    const lines = batch.rows.map((r) => r.line);
    const [fromLine, toLine] = [Math.min(...lines), Math.max(...lines)];
    const rejectionReasons: Record<string, number> = {};
    for (const r of result.results) if (r.outcome === 'rejected') for (const reason of r.reasons) rejectionReasons[reason] = (rejectionReasons[reason] ?? 0) + 1;
    const { runId } = batch;
    const decision = ingestionBatchDecider.decide(
      { type: 'RecordBatchOutcome', runId, file: batch.file.name, fromLine, toLine, rows: batch.rows.length, accepted: result.accepted, duplicates: result.duplicates,
        rejected: result.rejected, eventsAppended: result.eventsAppended, rejectionReasons },
      ingestionBatchDecider.initialState(),
    );
    if (decision.kind === 'rejected' || decision.events.length === 0) return;
    const stream = ingestionBatchStreamId(runId, batch.file.name, fromLine, toLine);
    const context = { runId, actor: batch.actor, recordedAt: new Date().toISOString(), commandId: deterministicId('record-batch-outcome', stream) };
    try {
      await this.store.appendToStream(stream, decision.events.map((e) => toEventData(e, deterministicId(stream, e.type), context)), { expectedRevision: 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error; // recorded by an earlier post of these lines
    }
  }

  private async assertRunStarted(runId: string): Promise<void> {
    if (this.knownRuns.has(runId)) return;
    const first = await this.store.readStream(pipelineRunStreamId(runId), { maxCount: 1 });
    if (first.length === 0) throw new NotFoundException(`pipeline run ${runId} was not started: POST /v1/pipeline-runs first`);
    this.knownRuns.add(runId);
  }

  /** `earlier`: what earlier attempts of this batch left written (a store without multi-stream transactions). */
  private async attempt(batch: IngestBatchCommand, parsed: ReadonlyArray<ParsedRow>, earlier: WrittenEarlier): Promise<BatchResult> {
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
    const committed = await uow.commit(this.store, earlier);
    const eventsAppended = committed.eventsAppended + earlier.eventsAppended;
    this.logger.debug(
      `${batch.file.name}: ${batch.rows.length} rows, ${eventsAppended} events; load ${(t1 - t0).toFixed(0)} ms, decide ${(t2 - t1).toFixed(0)} ms, append ${(performance.now() - t2).toFixed(0)} ms`,
    );
    // A row whose events an earlier attempt wrote is accepted: deciding again, it found its own events stored.
    const outcome = (d: { commandId: string; outcome: 'accepted' | 'duplicate' }): 'accepted' | 'duplicate' =>
      earlier.commands.has(d.commandId) ? 'accepted' : d.outcome === 'accepted' && committed.alreadyStored(d.commandId) ? 'duplicate' : d.outcome;
    const results: RowOutcome[] = decided.map((d) => (d.outcome === 'rejected' ? d : { line: d.line, outcome: outcome(d) }));
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
