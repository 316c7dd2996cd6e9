import { CHECKPOINT_FORMAT } from '@olist/event-store';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

const CURSOR = CHECKPOINT_FORMAT;
const CURSOR_MESSAGE = 'must be a cursor (a `next` or `position` of an earlier answer: 20 digits, a colon, 20 digits)';
const list = ({ value }: { value: unknown }) => (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').filter(Boolean) : value);

export class StreamQueryDto {
  @ApiProperty({ required: false, description: 'First revision to read (inclusive; default: the start, or the end backwards)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  from?: number;

  @ApiProperty({ required: false, enum: ['forwards', 'backwards'] }) @IsOptional() @IsIn(['forwards', 'backwards'])
  direction: 'forwards' | 'backwards' = 'forwards';

  @ApiProperty({ required: false, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;

  @ApiProperty({ required: false, description: 'true: the events as stored (their stored schema version), not upcast' })
  @IsOptional() @IsIn(['true', 'false'])
  raw?: 'true' | 'false';
}

export class EventsQueryDto {
  @ApiProperty({ required: false, description: 'event types, comma-separated or repeated' })
  @IsOptional() @Transform(list) @IsString({ each: true }) @Matches(/^[A-Z][A-Za-z]{1,60}$/, { each: true, message: 'type must be event type names (OrderPlaced, …)' })
  type?: string[];

  @ApiProperty({ required: false, description: 'one stream id' }) @IsOptional() @IsString() @MaxLength(400)
  stream?: string;

  @ApiProperty({ required: false, description: 'the pipeline run (correlation id)' }) @IsOptional() @IsUUID()
  runId?: string;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'business time, inclusive' }) @IsOptional() @Type(() => Date) @IsDate()
  occurredFrom?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'business time, exclusive' }) @IsOptional() @Type(() => Date) @IsDate()
  occurredTo?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'ingestion time, inclusive' }) @IsOptional() @Type(() => Date) @IsDate()
  recordedFrom?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'ingestion time, exclusive' }) @IsOptional() @Type(() => Date) @IsDate()
  recordedTo?: Date;

  @ApiProperty({ required: false, description: 'the `next` cursor of the previous page' }) @IsOptional() @Matches(CURSOR, { message: `after ${CURSOR_MESSAGE}` })
  after?: string;

  @ApiProperty({ required: false, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;
}

export class AggregateQueryDto {
  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'business time (occurredAt): the state as the business stood then' })
  @IsOptional() @Type(() => Date) @IsDate()
  asOf?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time', description: 'ingestion time: what the system knew then' })
  @IsOptional() @Type(() => Date) @IsDate()
  recordedAsOf?: Date;

  @ApiProperty({ required: false, description: 'up to this revision of the stream (inclusive)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  atRevision?: number;

  @ApiProperty({ required: false, description: 'up to this position of the global log (inclusive)' })
  @IsOptional() @Matches(CURSOR, { message: `atPosition ${CURSOR_MESSAGE}` })
  atPosition?: string;
}
