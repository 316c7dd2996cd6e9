import { QUERY_SQL_MAX_LENGTH, type QueryColumn, type QueryResult, type QueryRow, type QuerySnapshot } from '@olist/analytics';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export const QUERY_FORMATS = ['json', 'csv'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];

/** `POST /v1/query` (and the projector's `POST /internal/v1/query`, which ignores `format`). */
export class QueryRequestDto {
  @ApiProperty({
    maxLength: QUERY_SQL_MAX_LENGTH,
    description: 'ONE SELECT statement over the `core` star schema and the `mart` schema (SELECT, WITH … SELECT, FROM …, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE)',
    example: "SELECT customer_state, count(*) AS orders FROM core.fact_orders JOIN core.dim_customer USING (customer_key) GROUP BY ALL ORDER BY orders DESC",
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(QUERY_SQL_MAX_LENGTH)
  sql!: string;

  @ApiPropertyOptional({ minimum: 1, description: 'Rows to answer at most (default QUERY_DEFAULT_ROWS, at most QUERY_MAX_ROWS); `truncated` says when there were more' })
  @IsOptional()
  @IsInt()
  @Min(1)
  limit?: number;

  @ApiPropertyOptional({ enum: QUERY_FORMATS, default: 'json', description: 'csv: the rows as CSV, the other facts in X-Query-* headers' })
  @IsOptional()
  @IsIn(QUERY_FORMATS)
  format?: QueryFormat;
}

// OpenAPI shapes of the answer (the values are the QueryRunner port's, libs/analytics).

export class QueryColumnDto implements QueryColumn {
  @ApiProperty({ example: 'orders', description: 'Made unique where the SELECT repeats a name (a, a:1): the rows\' keys' }) name!: string;
  @ApiProperty({ example: 'BIGINT', description: 'DuckDB type' }) type!: string;
}

export class QueryMartRefreshDto {
  @ApiProperty({ example: 42 }) sequence!: number;
  @ApiProperty({ example: '2026-11-22T08:15:02.113Z' }) refreshedAt!: string;
}

export class QuerySnapshotDto implements QuerySnapshot {
  @ApiProperty({ example: '2026-11-22T08:15:03.020Z', description: 'When the snapshot of core and mart that answered was copied' }) takenAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Star schema checkpoint in the snapshot' }) checkpoint!: string | null;
  @ApiProperty({ nullable: true, type: Number }) eventsProjected!: number | null;
  @ApiProperty({ nullable: true, type: QueryMartRefreshDto, description: 'The last mart refresh in the snapshot' }) martRefresh!: QueryMartRefreshDto | null;
  @ApiProperty({ description: 'How long the copy took (ms)' }) copyMs!: number;
}

export class QueryResultDto implements QueryResult {
  @ApiProperty({ type: [QueryColumnDto] }) columns!: QueryColumnDto[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ customer_state: 'SP', orders: 41746 }],
    description: 'DATE as YYYY-MM-DD, TIMESTAMP as ISO-8601, DECIMAL and integers as numbers (64-bit integers beyond 2^53 as text), lists and structs nested',
  })
  rows!: QueryRow[];
  @ApiProperty({ description: 'Rows answered (at most limit)' }) rowCount!: number;
  @ApiProperty({ description: 'True when the query had more rows than limit' }) truncated!: boolean;
  @ApiProperty() limit!: number;
  @ApiProperty({ description: 'Time the statement ran (ms)' }) elapsedMs!: number;
  @ApiProperty({ description: 'Time spent waiting for a slot and a fresh snapshot (ms)' }) waitedMs!: number;
  @ApiProperty({ type: QuerySnapshotDto }) snapshot!: QuerySnapshotDto;
}
