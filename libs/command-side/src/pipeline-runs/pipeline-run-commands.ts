import type { FileIngestionStats } from '@olist/etl-orchestration';
import { Command } from '@nestjs/cqrs';

export class StartPipelineRunCommand extends Command<{ runId: string; status: 'started' | 'already-started' }> {
  constructor(readonly runId: string, readonly source: string, readonly actor: string) {
    super();
  }
}

export class CompletePipelineRunCommand extends Command<{ runId: string; status: 'loaded' | 'already-loaded' }> {
  constructor(readonly runId: string, readonly files: ReadonlyArray<FileIngestionStats>, readonly actor: string) {
    super();
  }
}

export class FailPipelineRunCommand extends Command<{ runId: string; status: 'failed' | 'already-ended' }> {
  constructor(readonly runId: string, readonly error: string, readonly actor: string) {
    super();
  }
}
