import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PATTERN_PARTS } from '@workgate/contracts';

/**
 * The structure of a workflow definition as class-validator DTOs. Validated with
 * whitelist + forbidNonWhitelisted, so an unknown key at any depth is a problem.
 */
const NAME = /^[a-z0-9][a-z0-9-]*$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;

/** The highest workflow version: versions are 32-bit integers wherever they are kept. */
export const MAX_VERSION = 2_147_483_647;

export class RequiredInputDto {
  @IsString() @Matches(ID, { message: 'name must be an identifier' }) name: string;
  @IsOptional() @Allow() equals?: unknown;
}

/**
 * A system that is an MCP server (docs/agents.md, The MCP gateway): started as a process (`command`, `args`,
 * `env`: stdio) or reached over streamable HTTP (`url`, `headers`). Secrets are never written here:
 * a value may reference an environment variable of workgate's as `${NAME}`.
 */
export class McpServerDto {
  @IsOptional() @IsString() @MinLength(1) command?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) args?: string[];
  @IsOptional() @IsObject() env?: Record<string, string>;
  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/, { message: 'url must be an http(s) URL' }) url?: string;
  @IsOptional() @IsObject() headers?: Record<string, string>;
}

export class SystemDto {
  @IsString() @Matches(ID, { message: 'name must be an identifier' }) name: string;
  @IsBoolean() read: boolean;
  @IsArray()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @ArrayUnique({ message: 'write lists an operation twice' })
  write: string[];
  @IsOptional() @ValidateNested() @Type(() => McpServerDto) mcp?: McpServerDto;
  @IsOptional() @IsIn(['required'], { message: 'rollback must be "required" when present' }) rollback?: 'required';
}

/** `approvals: {required, from}`: distinct approvers a wait or a gate needs (docs/policy.md, Two-person approvals). */
export class ApprovalQuorumDto {
  @IsInt({ message: 'required must be an integer' })
  @Min(1, { message: 'required must be at least 1' })
  required: number;
  @IsArray()
  @ArrayMinSize(1, { message: 'from must name at least one approver' })
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'from must name principals (no empty names)' })
  @ArrayUnique({ message: 'from names an approver twice' })
  from: string[];
}

export class RuleDto {
  @IsString() @Matches(ID, { message: 'id must be an identifier' }) id: string;
  @IsString() @MinLength(1) when: string;
  @IsIn(['run', 'wait', 'stop']) decision: 'run' | 'wait' | 'stop';
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
  @IsOptional() @IsString() @MinLength(1) owner?: string;
  @IsOptional() @IsString() @Matches(ID, { message: 'gate must be an identifier' }) gate?: string;
  @IsOptional() @ValidateNested() @Type(() => ApprovalQuorumDto) approvals?: ApprovalQuorumDto;
}

export class StepDto {
  @IsString() @Matches(ID, { message: 'id must be an identifier' }) id: string;
  @IsString() @MinLength(1) title: string;
  @IsOptional() @IsArray() @IsString({ each: true }) @ArrayUnique() evidence?: string[];
  @IsOptional() @IsString() @MinLength(1) owner?: string;
}

export class WorkObjectDto {
  @IsString() @Matches(ID, { message: 'name must be an identifier' }) name: string;
  @IsOptional() @IsString() @Matches(ID, { message: 'system must be an identifier' }) system?: string;
  @IsOptional() @IsString() @MinLength(1) owner?: string;
}

export class KnownFailureDto {
  @IsString() @Matches(ID, { message: 'at must be an identifier' }) at: string;
  @IsString() @MinLength(1) @MaxLength(500) note: string;
}

export class ApprovalDto {
  @IsString() timeout: string;
}

export class BreakGlassPolicyDto {
  @IsBoolean() allowed: boolean;
  @IsOptional() @IsString() postReviewDue?: string;
  @IsOptional() @IsString() @MinLength(1) reviewer?: string;
}

export class ClosureDto {
  @IsArray() @IsString({ each: true }) @ArrayUnique() evidence: string[];
}

export class DelegationContractDto {
  @IsString() initialWait: string;
  @IsString() reminderEvery: string;
  @IsNumber() @Min(1) @Max(10) backoff: number;
  @IsString() hardTimeout: string;
}

export class StageDto {
  @IsString() @Matches(ID, { message: 'id must be an identifier' }) id: string;
  @IsString() @Matches(ID, { message: 'artifact must be an identifier' }) artifact: string;
  @IsString() @Matches(ID, { message: 'gate must be an identifier' }) gate: string;
  @IsOptional() @IsString() @MinLength(1) owner?: string;
}

export class OverlayDto {
  @IsString() @Matches(ID, { message: 'id must be an identifier' }) id: string;
  @IsString() @MinLength(1) when: string;
  @IsString() @Matches(ID, { message: 'gate must be an identifier' }) gate: string;
  @IsOptional() @IsString() @MinLength(1) owner?: string;
  @IsOptional() @ValidateNested() @Type(() => ApprovalQuorumDto) approvals?: ApprovalQuorumDto;
}

/** `pattern` of an effective definition: what workgate records of the pattern it was merged from (docs/patterns.md). */
export class PatternRefDto {
  @IsString() @Matches(NAME, { message: 'pattern.name must match [a-z0-9-]+' }) name: string;
  @IsInt() @Min(1) @Max(MAX_VERSION) version: number;
  @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'pattern.sha256 must be a sha256 in hex' }) sha256: string;
  @IsArray() @IsString({ each: true }) from: string[];
  @IsArray() @IsIn([...PATTERN_PARTS], { each: true }) locked: string[];
}

/**
 * The rules of one property, as if written on it in this order: a definition and a pattern declare
 * their shared properties with the same rules (the metadata, and so each problem's order, is theirs).
 */
const rules =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of [...decorators].reverse()) decorator(target, key);
  };
type Class = new () => object;
/** `version`: a positive 32-bit integer. */
const VersionRules = () =>
  rules(
    IsInt({ message: 'version must be an integer' }),
    Min(1),
    Max(MAX_VERSION, { message: `version must be at most ${MAX_VERSION}` }),
  );
/** `title`, `owner`: text. */
const Text = () => rules(IsString(), MinLength(1));
/** `changeReviewers`: distinct principals. */
const Reviewers = () =>
  rules(IsOptional(), IsArray(), IsString({ each: true }), MinLength(1, { each: true }), ArrayUnique());
/** An optional list of `cls`. */
const ListOf = (cls: Class) =>
  rules(
    IsOptional(),
    IsArray(),
    ValidateNested({ each: true }),
    Type(() => cls),
  );
/** An optional `cls`. */
const One = (cls: Class) =>
  rules(
    IsOptional(),
    ValidateNested(),
    Type(() => cls),
  );

export class WorkflowDefinitionDto {
  @IsString() @Matches(NAME, { message: 'jobType must match [a-z0-9-]+' }) @MaxLength(100) jobType: string;
  @VersionRules() version: number;
  @Text() title: string;
  @Text() owner: string;
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'department must match [a-z0-9-]+' })
  @MaxLength(100)
  department?: string;
  @One(PatternRefDto) pattern?: PatternRefDto;
  @ListOf(RequiredInputDto) requiredInputs?: RequiredInputDto[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => SystemDto) systems: SystemDto[];
  @ListOf(RuleDto) rules?: RuleDto[];
  @ListOf(StepDto) steps?: StepDto[];
  @One(ApprovalDto) approval?: ApprovalDto;
  @Reviewers() changeReviewers?: string[];
  @One(BreakGlassPolicyDto) breakGlass?: BreakGlassPolicyDto;
  @One(ClosureDto) closure?: ClosureDto;

  @IsOptional()
  @IsArray()
  @Matches(CODE, { each: true, message: 'exceptionCodes must be codes like PREREQ_MISSING' })
  @ArrayUnique()
  exceptionCodes?: string[];

  @One(DelegationContractDto) delegation?: DelegationContractDto;
  @IsOptional() @IsString() stallAfter?: string;
  @ListOf(StageDto) stages?: StageDto[];
  @ListOf(OverlayDto) overlays?: OverlayDto[];
  @ListOf(WorkObjectDto) objects?: WorkObjectDto[];
  @ListOf(KnownFailureDto) knownFailures?: KnownFailureDto[];
}

/**
 * A pattern (docs/patterns.md): the parts workflows share, declared as a workflow's are. Its parts
 * are validated as a workflow's (the pattern stands on its own: a rule names only the pattern's
 * systems); `locked` names parts it holds.
 */
export class PatternDefinitionDto {
  @IsString() @Matches(NAME, { message: 'name must match [a-z0-9-]+' }) @MaxLength(100) name: string;
  @VersionRules() version: number;
  @Text() title: string;
  @Text() owner: string;
  @IsOptional()
  @IsArray()
  @IsIn([...PATTERN_PARTS], { each: true, message: `locked may name only ${PATTERN_PARTS.join(', ')}` })
  @ArrayUnique({ message: 'locked names a part twice' })
  locked?: string[];
  @Reviewers() changeReviewers?: string[];
  @ListOf(RequiredInputDto) requiredInputs?: RequiredInputDto[];
  @ListOf(SystemDto) systems?: SystemDto[];
  @ListOf(RuleDto) rules?: RuleDto[];
  @ListOf(StepDto) steps?: StepDto[];
  @IsOptional() @IsArray() @Matches(CODE, { each: true }) @ArrayUnique() exceptionCodes?: string[];
  @One(ApprovalDto) approval?: ApprovalDto;
  @One(BreakGlassPolicyDto) breakGlass?: BreakGlassPolicyDto;
  @One(ClosureDto) closure?: ClosureDto;
}
