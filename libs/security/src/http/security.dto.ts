import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ROLES, type Role } from '../domain/roles.js';

export const USER_NAME = /^[a-z0-9][a-z0-9._@-]{0,99}$/;

export class AddUserDto {
  @ApiProperty({ example: 'ana', description: 'lower case letters, digits and . _ @ -' })
  @IsString() @Matches(USER_NAME, { message: 'name must be 1-100 of a-z, 0-9, ., _, @, - (starting with a letter or digit)' })
  name!: string;

  @ApiProperty({ enum: ROLES }) @IsIn(ROLES)
  role!: Role;
}

export class CreateKeyDto {
  @ApiProperty({ example: 'ana' }) @IsString() @Matches(USER_NAME, { message: 'user must be a user name' })
  user!: string;

  @ApiProperty({ required: false, example: 'nightly loader' }) @IsOptional() @IsString() @MaxLength(200)
  description?: string;

  @ApiProperty({ required: false, type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  expiresAt?: Date;
}

export class AuditLogQueryDto {
  @ApiProperty({ required: false }) @IsOptional() @IsString() @MaxLength(100)
  user?: string;

  @ApiProperty({ required: false, example: '/v1/marts/:name' }) @IsOptional() @IsString() @MaxLength(300)
  route?: string;

  @ApiProperty({ required: false, type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  from?: Date;

  @ApiProperty({ required: false, type: String, format: 'date-time' }) @IsOptional() @Type(() => Date) @IsDate()
  to?: Date;

  @ApiProperty({ required: false, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;

  @ApiProperty({ required: false, default: 0 }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000_000)
  offset: number = 0;
}
