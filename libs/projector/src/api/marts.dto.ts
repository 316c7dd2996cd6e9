import type { MartCatalog, MartColumn, MartInfo, MartPage, MartRefresh, MartRow } from '@olist/analytics';
import { ApiProperty } from '@nestjs/swagger';

// OpenAPI shapes of the answers (the values are the MartReader port's, libs/analytics).

export class MartColumnDto implements MartColumn {
  @ApiProperty({ example: 'gmv' }) name!: string;
  @ApiProperty({ example: 'DECIMAL(18,2)', description: 'DuckDB type' }) type!: string;
  @ApiProperty({ nullable: true, type: String, example: 'GMV in BRL: sum of item prices of the revenue orders' }) description!: string | null;
}

export class MartRefreshDto implements MartRefresh {
  @ApiProperty({ example: 42, description: "The refresh's rank in mart.refresh_log: every row of the answer comes from this refresh" }) sequence!: number;
  @ApiProperty({ example: '2026-11-22T08:15:02.113Z' }) refreshedAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Star schema checkpoint the marts were built from' }) checkpoint!: string | null;
  @ApiProperty({ nullable: true, type: Number }) eventsProjected!: number | null;
}

export class MartInfoDto implements MartInfo {
  @ApiProperty({ example: 'monthly_revenue' }) name!: string;
  @ApiProperty({ example: 'mart.monthly_revenue' }) table!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty() rows!: number;
  @ApiProperty({ type: [MartColumnDto] }) columns!: MartColumnDto[];
}

export class MartCatalogDto implements MartCatalog {
  @ApiProperty({ type: MartRefreshDto }) refresh!: MartRefreshDto;
  @ApiProperty({ type: [MartInfoDto] }) marts!: MartInfoDto[];
}

export class MartPageDto implements MartPage {
  @ApiProperty({ example: 'monthly_revenue' }) mart!: string;
  @ApiProperty({ type: MartRefreshDto }) refresh!: MartRefreshDto;
  @ApiProperty({ type: [MartColumnDto] }) columns!: MartColumnDto[];
  @ApiProperty({ description: 'Rows matching the filters, over all pages' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ month: '2017-11-01', orders: 7289, gmv: 987765.37, freight: 150386.71, revenue: 1138152.08, aov: 156.15, mom_growth: 61.4 }],
    description: 'DATE as YYYY-MM-DD, TIMESTAMP as ISO-8601, DECIMAL and counts as numbers',
  })
  rows!: MartRow[];
}
