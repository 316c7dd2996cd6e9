import type { CompleteRunRequest, FailRunRequest, FileIngestionStats, IngestBatchRequest, SourceRow, StartRunRequest } from '@olist/ingestion';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, ValidateNested } from 'class-validator';

export class StartPipelineRunDto implements StartRunRequest {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the loader; deterministic from the files, so a re-run is the same run.' })
  @IsUUID()
  runId!: string;

  @ApiProperty({ description: 'Where the rows come from (e.g. a directory).' })
  @IsString()
  @MaxLength(2000)
  source!: string;
}

export class SourceRowDto implements SourceRow {
  @ApiProperty({ minimum: 1, description: 'Physical line where the record starts (the header is line 1).' })
  @IsInt()
  @Min(1)
  line!: number;

  @ApiProperty({ type: [String], description: 'Raw values in header order (a row with too few or too many is rejected, not refused).' })
  @IsArray()
  @IsString({ each: true })
  values!: string[];
}

export class IngestBatchDto implements IngestBatchRequest {
  @ApiProperty({ type: [String], description: "The file's header as read (BOM stripped)." })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  header!: string[];

  @ApiProperty({ type: [SourceRowDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => SourceRowDto)
  rows!: SourceRowDto[];
}

export class FileIngestionStatsDto implements FileIngestionStats {
  @ApiProperty() @IsString() @MaxLength(100) file!: string;
  @ApiProperty() @IsInt() @Min(0) rowsRead!: number;
  @ApiProperty() @IsInt() @Min(0) accepted!: number;
  @ApiProperty() @IsInt() @Min(0) duplicates!: number;
  @ApiProperty() @IsInt() @Min(0) rejected!: number;
  @ApiProperty() @IsInt() @Min(0) eventsAppended!: number;
  @ApiProperty({ required: false, description: 'Rows the loader read but could not deliver.' }) @IsOptional() @IsInt() @Min(0) failed?: number;
}

export class CompletePipelineRunDto implements CompleteRunRequest {
  @ApiProperty({ type: [FileIngestionStatsDto] })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FileIngestionStatsDto)
  files!: FileIngestionStatsDto[];
}

export class FailPipelineRunDto implements FailRunRequest {
  @ApiProperty({ description: 'Why the run could not finish.' })
  @IsString()
  @MaxLength(4000)
  error!: string;
}
