import { Controller, Get, Inject, Module, Res, type DynamicModule, type StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Settings } from '@olist/config';
import { Roles } from '@olist/security';
import { SNAPSHOTS } from '../tokens.js';
import { projectorOwned } from './projector-owned.module.js';
import { ProjectorStarSchemaSnapshots, snapshotAnswer, type StarSchemaSnapshots } from './star-schema-snapshots.js';

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

const DESCRIPTION =
  'A DuckDB database file with the `core` star schema and the `mart` schema, copied in one transaction (every table of the ' +
  'same point of the log, given in X-Snapshot-Checkpoint), for tools that open a file: Metabase, Superset, the DuckDB CLI, ' +
  'dbt-duckdb. `olist-dw snapshot --out FILE` and `olist-dw export` download it.';

/** `GET /v1/snapshot`: analysts' consistent copy of the star schema and marts. */
@ApiTags('marts')
@Roles('analyst', 'auditor')
@Controller('v1/snapshot')
export class SnapshotController {
  constructor(@Inject(SNAPSHOTS) private readonly snapshots: StarSchemaSnapshots) {}

  @Get()
  @ApiOperation({ summary: 'A consistent read-only copy of the star schema and marts, as a DuckDB file', description: DESCRIPTION })
  @ApiProduces('application/vnd.duckdb')
  @ApiOkResponse({ description: 'the DuckDB file' })
  @ApiServiceUnavailableResponse({ description: 'QUERY.UNAVAILABLE: nothing projected yet, or the projector unreachable' })
  async download(@Res({ passthrough: true }) response: HeaderResponse): Promise<StreamableFile> {
    return snapshotAnswer(await this.snapshots.open(), response);
  }
}

/** The same, answered by the projector process for the API (PROJECTOR=external). */
@ApiTags('internal')
@Roles('analyst', 'auditor')
@Controller('internal/v1/snapshot')
export class InternalSnapshotController {
  constructor(@Inject(SNAPSHOTS) private readonly snapshots: StarSchemaSnapshots) {}

  @Get()
  @ApiOperation({ summary: 'StarSchemaSnapshots.open()' })
  async download(@Res({ passthrough: true }) response: HeaderResponse): Promise<StreamableFile> {
    return snapshotAnswer(await this.snapshots.open(), response);
  }
}

/** `GET /v1/snapshot`, answered by the DuckDB owner: this process's projector, else the projector process. */
@Module({})
export class SnapshotModule {
  static register(settings: Settings): DynamicModule {
    return projectorOwned(SnapshotModule, settings, SNAPSHOTS, (url) => new ProjectorStarSchemaSnapshots(url), [SnapshotController]);
  }
}
