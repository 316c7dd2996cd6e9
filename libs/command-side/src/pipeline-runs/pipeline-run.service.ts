import { WrongExpectedVersionError, type EventStore } from '@olist/event-store';
import { pipelineRunDecider, pipelineRunStreamId, type PipelineRunCommand, type PipelineRunEvent, type PipelineRunState } from '@olist/etl-orchestration';
import { EventIds, fold } from '@olist/shared-kernel';
import { toEventData } from '@olist/event-catalog';

export interface PipelineRunDecision {
  readonly state: PipelineRunState;
  /** Empty when the command changed nothing. */
  readonly appended: ReadonlyArray<PipelineRunEvent>;
}

export class PipelineRunRejected extends Error {
  constructor(readonly reasons: ReadonlyArray<string>) {
    super(reasons.join('; '));
  }
}

/** The state of a pipeline run from its stream. */
export const pipelineRunState = async (store: EventStore, runId: string): Promise<PipelineRunState> => {
  const recorded = await store.readStream(pipelineRunStreamId(runId));
  return fold(pipelineRunDecider, recorded.map((e) => ({ type: e.type, data: e.data }) as PipelineRunEvent));
};

/**
 * Runs a pipeline-run command against its stream: read, fold, decide, append with the read revision. A
 * concurrent writer (another API instance, a second quality checker) makes the append fail on the expected
 * revision: the command is then decided again on the new history. Throws {@link PipelineRunRejected}.
 */
export const executePipelineRunCommand = async (
  store: EventStore,
  command: PipelineRunCommand,
  actor: string,
  commandId: string,
  attempts = 5,
): Promise<PipelineRunDecision> => {
  const stream = pipelineRunStreamId(command.runId);
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(stream);
    const state = fold(pipelineRunDecider, recorded.map((e) => ({ type: e.type, data: e.data }) as PipelineRunEvent));
    const decision = pipelineRunDecider.decide(command, state);
    if (decision.kind === 'rejected') throw new PipelineRunRejected(decision.reasons);
    if (decision.events.length === 0) return { state, appended: [] };
    const context = { runId: command.runId, actor, commandId, recordedAt: new Date().toISOString() };
    const revision = recorded.length > 0 ? recorded[recorded.length - 1]!.revision : -1n;
    try {
      await store.appendToStream(
        stream,
        // Ids from the revision each event takes: deterministic for a given history, distinct across resumptions.
        decision.events.map((event, i) =>
          toEventData(event, EventIds.pipelineRun(stream, revision + 1n + BigInt(i), event.type), context, pipelineRunDecider.occurredAt(event, command, state)),
        ),
        { expectedRevision: revision >= 0n ? revision : 'no_stream' },
      );
      return { state: decision.events.reduce((s: PipelineRunState, e) => pipelineRunDecider.evolve(s, e), state), appended: decision.events };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= attempts) throw error;
    }
  }
};
