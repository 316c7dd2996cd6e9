import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findUpwards } from '@olist/duckdb';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min, ValidateIf, ValidateNested, validateSync,
  type ValidationError,
} from 'class-validator';
import { RULE_TYPES, SEVERITIES, type QualityRule, type RuleSet, type RuleType } from './quality-rule.js';

// Identifiers are spliced into SQL: only plain (optionally schema-qualified) names.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const typeIs = (...types: RuleType[]) => (rule: RuleDefinition) => types.includes(rule.type);

class ReferenceDefinition {
  @Matches(TABLE) table!: string;
  @Matches(IDENTIFIER) column!: string;
}

class RuleDefinition implements QualityRule {
  @Matches(/^[a-z0-9_.]+$/) id!: string;
  @IsIn(RULE_TYPES) type!: RuleType;
  @IsIn(SEVERITIES) severity!: QualityRule['severity'];
  @Matches(TABLE) table!: string;
  @IsString() description!: string;

  @ValidateIf((r: RuleDefinition) => r.type !== 'UNIQUE' && r.expression === undefined) @Matches(IDENTIFIER) column?: string;
  @IsOptional() @IsString() expression?: string;
  @ValidateIf(typeIs('UNIQUE')) @IsArray() @ArrayMinSize(1) @Matches(IDENTIFIER, { each: true }) columns?: string[];
  @IsOptional() @IsString() where?: string;
  @ValidateIf((r: RuleDefinition) => r.type === 'RANGE' && r.max === undefined) @IsNumber() min?: number;
  @ValidateIf((r: RuleDefinition) => r.type === 'RANGE' && r.min === undefined) @IsNumber() max?: number;
  @ValidateIf(typeIs('ACCEPTED_VALUES')) @IsArray() @ArrayMinSize(1) values?: Array<string | number>;
  @ValidateIf(typeIs('REFERENTIAL')) @ValidateNested() @Type(() => ReferenceDefinition) references?: ReferenceDefinition;
  @IsOptional() @IsInt() unknownKey?: number;
  @ValidateIf(typeIs('FRESHNESS')) @IsNumber() @Min(0) maxAgeDays?: number;
  @IsOptional() @IsString() asOf?: string;
  @IsOptional() @IsNumber() @Min(0) @Max(1) threshold?: number;
  @IsArray() @Matches(IDENTIFIER, { each: true }) sample!: string[];
}

class RuleSetDefinition implements RuleSet {
  @IsString() name!: string;
  @IsInt() @Min(1) version!: number;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => RuleDefinition) rules!: RuleDefinition[];
}

const describe = (errors: ReadonlyArray<ValidationError>, path = ''): string[] =>
  errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${here}: ${m}`), ...describe(e.children ?? [], here)];
  });

/** Validates a rule set read from JSON; throws with every problem, each naming its rule path. */
export const parseRuleSet = (json: unknown, source = 'rule set'): RuleSet => {
  const ruleSet = plainToInstance(RuleSetDefinition, json);
  const problems = describe(validateSync(ruleSet, { whitelist: true, forbidNonWhitelisted: true }));
  const ids = new Set<string>();
  for (const rule of ruleSet.rules ?? []) {
    if (ids.has(rule.id)) problems.push(`rules: duplicate id ${rule.id}`);
    ids.add(rule.id);
  }
  if (problems.length > 0) throw new Error(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  return ruleSet;
};

export const DEFAULT_RULES_FILE = join(findUpwards(import.meta.url, 'projections/duckdb'), 'quality', 'rules.json');

/** The rule set of a JSON file (default: the shipped rules for the Olist star schema). */
export const loadRuleSet = async (file: string = DEFAULT_RULES_FILE): Promise<RuleSet> =>
  parseRuleSet(JSON.parse(await readFile(file, 'utf8')), file);
