import { FILTER_OPERATORS, MART_PAGE_MAX_LIMIT, type FilterOperator, type MartFilter, type MartOrder, type MartQuery } from '@olist/analytics';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CHECKPOINT_FORMAT } from '@olist/event-store';

export class MartFilterDto implements MartFilter {
  @ApiProperty() @IsString() @MaxLength(128)
  column!: string;

  @ApiProperty({ enum: FILTER_OPERATORS }) @IsIn(FILTER_OPERATORS)
  op!: FilterOperator;

  @ApiProperty({ type: [String] }) @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(1000, { each: true })
  values!: string[];
}

export class MartOrderDto implements MartOrder {
  @ApiProperty() @IsString() @MaxLength(128)
  column!: string;

  @ApiProperty() @IsBoolean()
  descending!: boolean;
}

/** The internal read request (the API's ProjectorMartReader posts it): a MartQuery. */
export class MartQueryDto implements MartQuery {
  @ApiProperty({ type: [MartFilterDto] }) @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => MartFilterDto)
  filters!: MartFilterDto[];

  @ApiProperty({ type: [MartOrderDto] }) @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => MartOrderDto)
  order!: MartOrderDto[];

  @ApiProperty() @IsInt() @Min(1) @Max(MART_PAGE_MAX_LIMIT)
  limit!: number;

  @ApiProperty() @IsInt() @Min(0)
  offset!: number;

  @ApiProperty({ required: false }) @IsOptional() @Matches(CHECKPOINT_FORMAT, { message: 'atPosition must be a log position' })
  atPosition?: string;

  @ApiProperty({ required: false, type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  recordedAsOf?: Date;
}
