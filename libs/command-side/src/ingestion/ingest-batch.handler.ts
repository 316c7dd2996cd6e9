import { toEventData } from '@olist/event-catalog';
import { EventStoreUnavailableError, WrongExpectedVersionError, type AppendRequest, type EventStore } from '@olist/event-store';
import {
  ingestionBatchDecider, ingestionBatchStreamId, pipelineRunStreamId, rowRejectionDecider, UnknownPipelineRunError,
  type PipelineRunEvent, type RecordRowRejection, type RunStartedState,
} from '@olist/etl-orchestration';
import { EVENT_STORE, METRICS, PERSONAL_DATA } from '@olist/infrastructure';
import type { OlistMetrics } from '@olist/observability';
import type { PersonalDataProtection } from '@olist/personal-data';
import { RowParser, type BatchResult, type ParsedRow, type RowCommand, type RowResult } from '@olist/ingestion';
import { CommandIds, EventIds, fold } from '@olist/shared-kernel';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { BatchUnitOfWork, WrittenEarlier, type RowContext } from './batch-unit-of-work.js';
import { IngestBatchCommand } from './ingest-batch.command.js';
import { erasedCommand, PersonalRows } from './personal-rows.js';

const MAX_ATTEMPTS = 8;

/** Pause before deciding a batch again after the store was unavailable (doubling per attempt). */
const UNAVAILABLE_DELAY_MS = 100;
const MAX_UNAVAILABLE_DELAY_MS = 2_000;

/**
 * Ingests a batch: parses every row, loads the aggregates the batch touches in one read, lets each row's
 * aggregate decide in the batch's unit of work (the route table says which: row-command-routes.ts), and appends
 * the accepted events and the RowRejected events in one append (atomic on PostgreSQL). A concurrent writer on
 * one of the streams makes the append fail on its expected revision: the batch is then decided again from fresh
 * state. On EventStoreDB a failed append (a race, or the server becoming unavailable) may have written some
 * streams already; the batch is then decided again here, and the next attempt finds those events stored and,
 * told by the error which they were, still answers their rows as accepted (as on PostgreSQL).
 */
@CommandHandler(IngestBatchCommand)
export class IngestBatchHandler implements ICommandHandler<IngestBatchCommand> {
  private readonly logger = new Logger(IngestBatchHandler.name);
  /** Runs known to have started: a run never un-starts, so one read of its first event per run is enough. */
  private readonly startedRuns = new Set<string>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtection,
    @Inject(METRICS) private readonly metrics: OlistMetrics,
  ) {}

  async execute(batch: IngestBatchCommand): Promise<BatchResult> {
    const run = await this.runStarted(batch.runId);
    const parser = new RowParser(batch.file, batch.header);
    const parsed = batch.rows.map((row) => parser.parse(row.values, row.defects));
    const lines = batch.rows.map((r) => r.line);
    const span = { fromLine: Math.min(...lines), toLine: Math.max(...lines) };
    const batchStream = ingestionBatchStreamId(batch.runId, batch.file.name, span.fromLine, span.toLine);
    const earlier = new WrittenEarlier();
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, uow } = await this.attempt(batch, parser, parsed, run, batchStream, earlier);
        await this.recordOutcome(batch, result, uow, batchStream, span);
        const file = batch.file.name;
        this.metrics.rowsIngested.inc({ file, outcome: 'accepted' }, result.accepted);
        this.metrics.rowsIngested.inc({ file, outcome: 'duplicate' }, result.duplicates);
        this.metrics.rowsIngested.inc({ file, outcome: 'rejected' }, result.rejected);
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
   * The server's statistics of the batch, on the batch's own stream (so concurrent batches do not contend),
   * decided on that stream's state as the batch's unit of work loaded it: the first outcome of a batch stands.
   * A crash between the batch's append and this one leaves the batch uncounted until the same lines are posted
   * again (then as duplicates).
   */
  private async recordOutcome(
    batch: IngestBatchCommand,
    result: BatchResult,
    uow: BatchUnitOfWork,
    stream: string,
    span: { readonly fromLine: number; readonly toLine: number },
  ): Promise<void> {
    const rejectionReasons: Record<string, number> = {};
    for (const r of result.results) if (r.outcome === 'rejected') for (const reason of r.reasons) rejectionReasons[reason] = (rejectionReasons[reason] ?? 0) + 1;
    const { runId } = batch;
    const command = {
      type: 'RecordBatchOutcome' as const, runId, file: batch.file.name, ...span, rows: batch.rows.length,
      accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected, eventsAppended: result.eventsAppended, rejectionReasons,
      receivedAt: batch.receivedAt,
    };
    const { state, revision } = uow.loadedState(stream, ingestionBatchDecider);
    const decision = ingestionBatchDecider.decide(command, state);
    if (decision.kind === 'rejected' || decision.events.length === 0) return;
    const context = { runId, actor: batch.actor, recordedAt: batch.receivedAt, commandId: CommandIds.recordBatchOutcome(stream), requestKey: batch.requestKey };
    const events = decision.events.map((e) => toEventData(e, EventIds.batchOutcome(stream, e.type), context, ingestionBatchDecider.occurredAt(e, command, state)));
    try {
      await this.store.appendToStream(stream, events, { expectedRevision: revision ?? 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error; // recorded meanwhile by a concurrent post of these lines
    }
  }

  /** The run's state for recording rejections, folded from its first event (see `rowRejectionDecider`). */
  private async runStarted(runId: string): Promise<RunStartedState> {
    if (this.startedRuns.has(runId)) return { started: true };
    const first = await this.store.readStream(pipelineRunStreamId(runId), { maxCount: 1 });
    const state = fold(rowRejectionDecider, first.map((e) => ({ type: e.type, data: e.data }) as PipelineRunEvent));
    if (!state.started) throw new UnknownPipelineRunError(runId);
    this.startedRuns.add(runId);
    return state;
  }

  /** `earlier`: what earlier attempts of this batch left written (a store without multi-stream transactions). */
  private async attempt(
    batch: IngestBatchCommand,
    parser: RowParser,
    parsed: ReadonlyArray<ParsedRow>,
    run: RunStartedState,
    batchStream: string,
    earlier: WrittenEarlier,
  ): Promise<{ result: BatchResult; uow: BatchUnitOfWork }> {
    const t0 = performance.now();
    const uow = await BatchUnitOfWork.load(this.store, parsed.flatMap((p) => (p.kind === 'commands' ? p.commands : [])), [batchStream, ...PersonalRows.streamsRead(batch, parser)]);
    const personal = await PersonalRows.of(batch, parser, uow, this.personalData);
    const t1 = performance.now();
    const recordedAt = batch.receivedAt;
    const decided: Array<{ line: number; commandId: string; outcome: 'accepted' | 'duplicate' } | { line: number; outcome: 'rejected'; reasons: ReadonlyArray<string> }> = [];

    for (const [i, row] of batch.rows.entries()) {
      const identity = personal.identity(i);
      const hash = identity.rowHash;
      const context: RowContext = {
        runId: batch.runId,
        actor: batch.actor,
        recordedAt,
        provenance: { file: batch.file.fileName, line: row.line, rowHash: hash, ...(identity.personalHash ? { personalHash: identity.personalHash } : {}) },
        commandId: CommandIds.ingestRow(batch.runId, batch.file.name, row.line, hash),
        ...(identity.personalDataKey ? { personalDataKey: identity.personalDataKey } : {}),
        ...(batch.requestKey ? { requestKey: batch.requestKey } : {}),
      };
      const p = parsed[i]!;
      // A person already erased stays erased: what is posted for them again is recorded erased (so a re-post decides nothing new).
      const outcome = p.kind === 'invalid' ? { reasons: p.reasons } : decideRow(identity.erased ? p.commands.map(erasedCommand) : p.commands, uow, context);
      if ('reasons' in outcome) {
        decided.push({ line: row.line, outcome: 'rejected', reasons: outcome.reasons });
        uow.appendUnconditionally(this.rejection(batch, row.line, parser.rawRow(row.values), outcome.reasons, context, run));
      } else {
        decided.push({ line: row.line, commandId: context.commandId, outcome: outcome.events > 0 ? 'accepted' : 'duplicate' });
      }
    }
    const t2 = performance.now();
    const committed = await uow.commit(this.store, earlier);
    // An earlier attempt of this request whose answer was lost: its rows' events are its own, not duplicates, and
    // its rejections (appended in the same transaction as its row events) are counted as appended too.
    const own = batch.requestKey ? uow.writtenBy(batch.requestKey, batch.file.fileName) : undefined;
    if (own && own.events > 0) this.logger.warn(`${batch.file.name} batch from line ${batch.rows[0]?.line}: an earlier attempt was written but not answered; answered as it would have been`);
    // (Own events include what this request's earlier attempts left written on a store without multi-stream
    // transactions, so `earlier` is counted only when they found nothing.)
    const eventsAppended = own?.recordedEventsAppended ??
      committed.eventsAppended + (own && own.events > 0 ? own.events + committed.extraFoundStored : earlier.eventsAppended);
    this.logger.debug(
      `${batch.file.name}: ${batch.rows.length} rows, ${eventsAppended} events; load ${(t1 - t0).toFixed(0)} ms, decide ${(t2 - t1).toFixed(0)} ms, append ${(performance.now() - t2).toFixed(0)} ms`,
    );
    // A row whose events an earlier attempt wrote is accepted: deciding again, it found its own events stored.
    const outcome = (d: { line: number; commandId: string; outcome: 'accepted' | 'duplicate' }): 'accepted' | 'duplicate' =>
      earlier.commands.has(d.commandId) || own?.lines.has(d.line) ? 'accepted' : d.outcome === 'accepted' && committed.alreadyStored(d.commandId) ? 'duplicate' : d.outcome;
    const results: RowResult[] = decided.map((d) => (d.outcome === 'rejected' ? d : { line: d.line, outcome: outcome(d) }));
    const accepted = results.filter((r) => r.outcome === 'accepted').length;
    const duplicates = results.filter((r) => r.outcome === 'duplicate').length;
    return { result: { file: batch.file.name, accepted, duplicates, rejected: results.length - accepted - duplicates, eventsAppended, results }, uow };
  }

  /** The run's aggregate records the rejection (on the run's stream, which holds every rejection of the run). */
  private rejection(
    batch: IngestBatchCommand,
    line: number,
    raw: Readonly<Record<string, string>>,
    reasons: ReadonlyArray<string>,
    context: RowContext,
    run: RunStartedState,
  ): AppendRequest {
    const command: RecordRowRejection = { type: 'RecordRowRejection', runId: batch.runId, file: batch.file.name, line, raw, reasons, rejectedAt: batch.receivedAt };
    const decision = rowRejectionDecider.decide(command, run);
    if (decision.kind === 'rejected') throw new UnknownPipelineRunError(batch.runId, decision.reasons.join('; '));
    const stream = pipelineRunStreamId(batch.runId);
    return {
      streamId: stream,
      expectedRevision: 'any',
      events: decision.events.map((event) =>
        toEventData(event, EventIds.rowRejected(stream, batch.file.name, line, context.provenance.rowHash), context, rowRejectionDecider.occurredAt(event, command, run)),
      ),
    };
  }
}

/**
 * Decides the row's commands in order and stops at the first rejection. Only the last command of a row can
 * reject once an earlier one was accepted (an order row's shipment tracking never rejects), so a rejected
 * row leaves no events behind.
 */
const decideRow = (commands: ReadonlyArray<RowCommand>, uow: BatchUnitOfWork, context: RowContext): { readonly reasons: ReadonlyArray<string> } | { readonly events: number } => {
  let events = 0;
  for (const command of commands) {
    const decision = uow.decideRow(command, context);
    if (decision.kind === 'rejected') return { reasons: decision.reasons };
    events += decision.events.length;
  }
  return { events };
};
