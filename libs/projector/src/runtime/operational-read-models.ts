import { pipelineRunsReadModel, qualityReportsReadModel, quarantineReadModel } from '@olist/etl-orchestration';
import type { PostgresReadModels } from '@olist/postgres';
import { migrateReadModels } from '@olist/infrastructure';

/**
 * The Postgres read models the projector's OPERATIONS_PROJECTOR runs (spec §8): one checkpoint row, the
 * handlers of each context, the migrations that create their tables, and the schemas those tables live in
 * (what `npm run rebuild` compares).
 */
export const OPERATIONAL_READ_MODELS: PostgresReadModels = {
  name: 'operational_read_models',
  handlers: [pipelineRunsReadModel, quarantineReadModel, qualityReportsReadModel],
  migrate: migrateReadModels,
  schemas: ['etl_orchestration', 'data_quality'],
};
