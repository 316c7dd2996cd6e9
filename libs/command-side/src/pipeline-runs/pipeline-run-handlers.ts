import type { EventStore } from '@olist/event-store';
import { UnknownPipelineRunError, type PipelineRunCommand } from '@olist/etl-orchestration';
import { EVENT_STORE } from '@olist/infrastructure';
import { executePipelineRunCommand, PipelineRunRejected } from './pipeline-run.service.js';
import { CommandIds } from '@olist/shared-kernel';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CompletePipelineRunCommand, FailPipelineRunCommand, StartPipelineRunCommand } from './pipeline-run-commands.js';

/** Runs a pipeline-run command; returns the types of the events appended. The loader's commands are refused only for a run never started. */
const handle = async (store: EventStore, command: PipelineRunCommand, actor: string, commandId: string): Promise<ReadonlyArray<string>> => {
  try {
    return (await executePipelineRunCommand(store, command, actor, commandId)).appended.map((e) => e.type);
  } catch (error) {
    if (error instanceof PipelineRunRejected) throw new UnknownPipelineRunError(command.runId);
    throw error;
  }
};

@CommandHandler(StartPipelineRunCommand)
export class StartPipelineRunHandler implements ICommandHandler<StartPipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, source, actor }: StartPipelineRunCommand) {
    const startedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'StartPipelineRun', runId, source, startedAt }, actor, CommandIds.pipelineRun('StartPipelineRun', runId));
    return { runId, status: outcome.includes('PipelineRunStarted') ? ('started' as const) : ('already-started' as const) };
  }
}

@CommandHandler(CompletePipelineRunCommand)
export class CompletePipelineRunHandler implements ICommandHandler<CompletePipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Every file is posted: the run is `loaded`; the projector checks its quality and completes (or fails) it. */
  async execute({ runId, files, actor }: CompletePipelineRunCommand) {
    const completedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'CompletePipelineRun', runId, files, completedAt }, actor, CommandIds.pipelineRun('CompletePipelineRun', runId));
    return { runId, status: outcome.length > 0 ? ('loaded' as const) : ('already-loaded' as const) };
  }
}

@CommandHandler(FailPipelineRunCommand)
export class FailPipelineRunHandler implements ICommandHandler<FailPipelineRunCommand> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ runId, error, actor }: FailPipelineRunCommand) {
    const failedAt = new Date().toISOString();
    const outcome = await handle(this.store, { type: 'FailPipelineRun', runId, error, failedAt }, actor, CommandIds.pipelineRun('FailPipelineRun', runId));
    return { runId, status: outcome.length > 0 ? ('failed' as const) : ('already-ended' as const) };
  }
}
