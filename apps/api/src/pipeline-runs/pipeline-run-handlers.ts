import type { EventStore } from '@olist/event-store';
import { pipelineRunDecider, pipelineRunStreamId, type PipelineRunCommand } from '@olist/etl-orchestration';
import { deterministicId, fold, type DomainEvent } from '@olist/shared-kernel';
import { Inject, NotFoundException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { toEventData } from '../ingestion/event-envelope.js';
import { EVENT_STORE } from '@olist/platform';
import { CompletePipelineRunCommand, StartPipelineRunCommand } from './pipeline-run-commands.js';

/** Runs a pipeline-run command against its stream: read, fold, decide, append with the read revision. */
const handle = async (store: EventStore, command: PipelineRunCommand, actor: string, commandId: string): Promise<'appended' | 'unchanged'> => {
  const stream = pipelineRunStreamId(command.runId);
  const recorded = await store.readStream(stream);
  const state = fold(pipelineRunDecider, recorded.map((e) => ({ type: e.type, data: e.data }) as never));
  const decision = pipelineRunDecider.decide(command, state);
  if (decision.kind === 'rejected') throw new NotFoundException(decision.reasons.join('; '));
  if (decision.events.length === 0) return 'unchanged';
  const context = { runId: command.runId, actor, commandId, recordedAt: new Date().toISOString() };
  await store.appendToStream(
    stream,
    decision.events.map((event: DomainEvent) => {
      // A run has one event of each type, except one SourceFileIngested per file.
      const discriminator = event.type === 'SourceFileIngested' ? (event.data as { file: string }).file : '';
      return toEventData(event, deterministicId(stream, event.type, discriminator), context);
    }),
    { expectedRevision: recorded.length > 0 ? recorded[recorded.length - 1]!.revision : 'no_stream' },
  );
  return 'appended';
};

@CommandHandler(StartPipelineRunCommand)
export class StartPipelineRunHandler implements ICommandHandler<StartPipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, source, actor }: StartPipelineRunCommand) {
    const startedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'StartPipelineRun', runId, source, startedAt }, actor, deterministicId('StartPipelineRun', runId));
    return { runId, status: outcome === 'appended' ? ('started' as const) : ('already-started' as const) };
  }
}

@CommandHandler(CompletePipelineRunCommand)
export class CompletePipelineRunHandler implements ICommandHandler<CompletePipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, files, actor }: CompletePipelineRunCommand) {
    const completedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'CompletePipelineRun', runId, files, completedAt }, actor, deterministicId('CompletePipelineRun', runId));
    return { runId, status: outcome === 'appended' ? ('completed' as const) : ('already-completed' as const) };
  }
}
