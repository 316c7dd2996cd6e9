import type { EventStore } from '@olist/event-store';
import { pipelineRunDecider, pipelineRunStreamId, type PipelineRunCommand } from '@olist/etl-orchestration';
import { deterministicId, fold, type DomainEvent } from '@olist/shared-kernel';
import { Inject, NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { toEventData } from '../ingestion/event-envelope.js';
import { EVENT_STORE } from '@olist/platform';
import { CompletePipelineRunCommand, FailPipelineRunCommand, StartPipelineRunCommand } from './pipeline-run-commands.js';

/**
 * Runs a pipeline-run command against its stream: read, fold, decide, append with the read revision.
 * Returns the types of the events appended.
 */
const handle = async (store: EventStore, command: PipelineRunCommand, actor: string, commandId: string): Promise<ReadonlyArray<string>> => {
  const stream = pipelineRunStreamId(command.runId);
  const recorded = await store.readStream(stream);
  const state = fold(pipelineRunDecider, recorded.map((e) => ({ type: e.type, data: e.data }) as never));
  const decision = pipelineRunDecider.decide(command, state);
  if (decision.kind === 'rejected') throw new NotFoundException(decision.reasons.join('; '));
  if (decision.events.length === 0) return [];
  const context = { runId: command.runId, actor, commandId, recordedAt: new Date().toISOString() };
  const revision = recorded.length > 0 ? recorded[recorded.length - 1]!.revision : -1n;
  await store.appendToStream(
    stream,
    // Ids from the revision each event takes: deterministic for a given history, distinct across resumptions.
    decision.events.map((event: DomainEvent, i) => toEventData(event, deterministicId(stream, String(revision + 1n + BigInt(i)), event.type), context)),
    { expectedRevision: revision >= 0n ? revision : 'no_stream' },
  );
  return decision.events.map((e) => e.type);
};

@CommandHandler(StartPipelineRunCommand)
export class StartPipelineRunHandler implements ICommandHandler<StartPipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, source, actor }: StartPipelineRunCommand) {
    const startedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'StartPipelineRun', runId, source, startedAt }, actor, deterministicId('StartPipelineRun', runId));
    return { runId, status: outcome.includes('PipelineRunStarted') ? ('started' as const) : ('already-started' as const) };
  }
}

@CommandHandler(CompletePipelineRunCommand)
export class CompletePipelineRunHandler implements ICommandHandler<CompletePipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, files, actor }: CompletePipelineRunCommand) {
    const completedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'CompletePipelineRun', runId, files, completedAt }, actor, deterministicId('CompletePipelineRun', runId));
    return { runId, status: outcome.length > 0 ? ('completed' as const) : ('already-completed' as const) };
  }
}

@CommandHandler(FailPipelineRunCommand)
export class FailPipelineRunHandler implements ICommandHandler<FailPipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, error, actor }: FailPipelineRunCommand) {
    const failedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'FailPipelineRun', runId, error, failedAt }, actor, deterministicId('FailPipelineRun', runId));
    return { runId, status: outcome.length > 0 ? ('failed' as const) : ('already-ended' as const) };
  }
}
