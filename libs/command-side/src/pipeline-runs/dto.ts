import {
  RECORD_DEFECT_KINDS, type CompleteRunRequest, type FailRunRequest, type FileIngestionStats, type IngestBatchRequest, type RecordDefect, type SourceRow,
  type StartRunRequest,
} from '@olist/ingestion';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, registerDecorator, ValidateNested, type ValidationArguments,
} from 'class-validator';

export class StartPipelineRunDto implements StartRunRequest {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the loader; deterministic from the files, so a re-run is the same run.' })
  @IsUUID()
  runId!: string;

  @ApiProperty({ description: 'Where the rows come from (e.g. a directory).' })
  @IsString()
  @MaxLength(2000)
  source!: string;
}

/** A batch's row, for the API's description: {@link IsSourceRows} checks rows. */
export class SourceRowDto implements SourceRow {
  @ApiProperty({ minimum: 1, description: 'Physical line where the record starts (the header is line 1).' })
  line!: number;

  @ApiProperty({ type: [String], description: 'Raw values in header order (a row with too few or too many is rejected, not refused).' })
  values!: string[];

  @ApiProperty({
    required: false,
    description: 'What the loader found wrong in the record\u2019s text, at a value\u2019s position: { position, kind: "unclosed-quote" | "not-utf8" } or { position, kind: "too-large", bytes }. The row is rejected.',
  })
  defects?: RecordDefect[];
}

const isNonNegativeInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** What is wrong with defect `j` of row `i`, if anything. */
const defectProblem = (d: unknown, i: number, j: number): string | undefined => {
  const at = `rows.${i}.defects.${j}`;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return `${at} must be an object`;
  const { position, kind, bytes, ...extra } = d as { position?: unknown; kind?: unknown; bytes?: unknown };
  const key = Object.keys(extra)[0];
  if (key !== undefined) return `${at}.property ${key} should not exist`;
  if (!isNonNegativeInt(position)) return `${at}.position must be a whole number, 0 or more`;
  if (!RECORD_DEFECT_KINDS.includes(kind as RecordDefect['kind'])) return `${at}.kind must be one of ${RECORD_DEFECT_KINDS.join(', ')}`;
  if (kind === 'too-large' ? !isNonNegativeInt(bytes) : bytes !== undefined) return `${at}.bytes must be the value\u2019s size in bytes, for a too-large value only`;
  return undefined;
};

/** What is wrong with a batch's row `i`, in class-validator's words (undefined: nothing). */
const sourceRowProblem = (row: unknown, i: number): string | undefined => {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return `rows.${i} must be an object`;
  const extra = Object.keys(row).find((key) => key !== 'line' && key !== 'values' && key !== 'defects');
  if (extra !== undefined) return `rows.${i}.property ${extra} should not exist`;
  const { line, values, defects } = row as { line?: unknown; values?: unknown; defects?: unknown };
  if (typeof line !== 'number' || !Number.isInteger(line)) return `rows.${i}.line must be an integer number`;
  if (line < 1) return `rows.${i}.line must not be less than 1`;
  if (!Array.isArray(values)) return `rows.${i}.values must be an array`;
  if (!values.every((v) => typeof v === 'string')) return `rows.${i}.each value in values must be a string`;
  if (defects === undefined) return undefined;
  if (!Array.isArray(defects) || defects.length > 1000) return `rows.${i}.defects must be an array of at most 1000`;
  for (const [j, d] of defects.entries()) {
    const problem = defectProblem(d, i, j);
    if (problem) return problem;
  }
  return undefined;
};

/**
 * Every row `{ line, values }` checked in one pass: a batch holds thousands of rows, and a nested DTO per row
 * (class-transformer instances, class-validator metadata per object) was a tenth of the API's time.
 */
const IsSourceRows = (): PropertyDecorator => (target, propertyName) =>
  registerDecorator({
    name: 'isSourceRows',
    target: target.constructor,
    propertyName: String(propertyName),
    validator: {
      validate: (rows: unknown) => Array.isArray(rows) && rows.every((row, i) => sourceRowProblem(row, i) === undefined),
      defaultMessage: (args?: ValidationArguments) => {
        const rows = args?.value;
        if (!Array.isArray(rows)) return 'rows must be an array';
        const problems = rows.flatMap((row, i) => sourceRowProblem(row, i) ?? []);
        return problems.length > 1 ? `${problems[0]} (and ${problems.length - 1} more rows)` : problems[0]!;
      },
    },
  });

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
  @IsSourceRows()
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
