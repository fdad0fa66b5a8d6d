import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsEvidence } from './evidence-rule';

/**
 * Bodies of the commands, one DTO each, shared by the HTTP routes, the CloudEvents `data` and the
 * services they travel to (the types of the NATS requests are these bodies).
 * Validated with whitelist + forbidNonWhitelisted: an unknown key at any depth is refused.
 * `inputs` and `facts` are free-form maps by design (prototype keys are refused separately).
 */
/** The longest rollback note an action request may carry (characters). */
export const MAX_ROLLBACK_NOTE = 2000;

export class EvidenceDto {
  @IsString() @IsNotEmpty() @MaxLength(100) kind: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) ref: string;
  @IsOptional() @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex characters' }) sha256?: string;
  @IsOptional() @IsBoolean() private?: boolean;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class OpenWorkOrderDto {
  @IsString() @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'jobType must match [a-z0-9-]+' }) jobType: string;
  @IsString() @IsNotEmpty() @MaxLength(200) externalRef: string;
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,199}$/, { message: 'source must be 1-200 letters, digits or _ . : / @ -' })
  source: string;
  @IsObject() inputs: Record<string, unknown>;
  @IsOptional() @IsString() @IsNotEmpty() owner?: string;
}

export class RequestActionDto {
  @IsString() @IsNotEmpty() @MaxLength(200) system: string;
  @IsString() @IsNotEmpty() @MaxLength(200) operation: string;
  @IsIn(['read', 'write']) kind: 'read' | 'write';
  @IsOptional() @IsObject() facts?: Record<string, unknown>;
  @IsOptional() @IsArray() @IsString({ each: true }) @MaxLength(200, { each: true }) objects?: string[];
  @IsOptional() @IsString() @IsNotEmpty() stepId?: string;
  /** A tool call's: the SHA-256 (hex) of its arguments, so an approval can name this very call. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'argumentsSha256 must be 64 lowercase hex characters' })
  argumentsSha256?: string;
  /**
   * How to undo the write, in words a person can follow. A write to a system with `rollback: required`
   * stops with `rollback_note_required` without one (absent or blank). Kept as private evidence on
   * the decision's receipt: ops leads read it, public surfaces never show it.
   */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_ROLLBACK_NOTE, { message: `rollbackNote must be at most ${MAX_ROLLBACK_NOTE} characters` })
  rollbackNote?: string;
}

/** `evidence` (everywhere): one object or a list of them (docs/api.md, Conventions (evidence)). */
export type EvidenceField = EvidenceDto | EvidenceDto[];

export class CompleteStepDto {
  @IsEvidence() @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceField;
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class BlockStepDto {
  @IsString() @IsNotEmpty() code: string;
  @IsString() @IsNotEmpty() @MaxLength(4000) rationale: string;
}

/** Missing closure evidence is the domain's refusal (`closure_evidence_required`), not a shape error. */
export class CloseWorkOrderDto {
  @IsOptional() @IsString() @MaxLength(200) closureEvidenceId?: string;
  @IsOptional() @IsEvidence() @ValidateNested() @Type(() => EvidenceDto) evidence?: EvidenceField;
}

export class ReportClosureDto {
  @IsOptional() @IsISO8601({ strict: true }) closedAt?: string;
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
  @IsOptional() @IsEvidence() @ValidateNested() @Type(() => EvidenceDto) evidence?: EvidenceField;
}

export class ReopenWorkOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) reason: string;
}

/** What a run action's tool call answered (the MCP gateway records it): its SHA-256, and whether it was a tool error. */
export class RecordActionResultDto {
  @Matches(/^[0-9a-f]{64}$/, { message: 'resultSha256 must be 64 lowercase hex characters' }) resultSha256: string;
  @IsOptional() @IsBoolean() isError?: boolean;
}

export class StopWorkOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) reason: string;
}

/** CloudEvent `data` of commands that name a step carry it as `stepId`. */
export class CompleteStepEventDto extends CompleteStepDto {
  @IsString() @IsNotEmpty() stepId: string;
}

export class BlockStepEventDto extends BlockStepDto {
  @IsString() @IsNotEmpty() stepId: string;
}

/** An `open` CloudEvent takes source and externalRef from the envelope (`source`, `subject`). */
export class OpenWorkOrderEventDto {
  @IsString() @Matches(/^[a-z0-9][a-z0-9-]*$/, { message: 'jobType must match [a-z0-9-]+' }) jobType: string;
  @IsObject() inputs: Record<string, unknown>;
  @IsOptional() @IsString() @IsNotEmpty() owner?: string;
}

/** The action a break-glass runs at once. */
export class BreakGlassActionDto extends RequestActionDto {}

export class BreakGlassDto {
  @IsString() @IsNotEmpty() code: string;
  @IsString() @IsNotEmpty() @MaxLength(4000) rationale: string;
  // @ValidateNested alone lets a missing object through: @IsObject makes it required.
  @IsObject() @ValidateNested() @Type(() => BreakGlassActionDto) action: BreakGlassActionDto;
}

/** A lifecycle stage's artifact: its kind must be the one the stage produces. */
export class StageArtifactDto {
  @IsString() @IsNotEmpty() @MaxLength(100) kind: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) ref: string;
}

export class RecordArtifactDto {
  @IsObject() @ValidateNested() @Type(() => StageArtifactDto) artifact: StageArtifactDto;
  @IsOptional() @IsEvidence() @ValidateNested() @Type(() => EvidenceDto) evidence?: EvidenceField;
}

export class RecordArtifactEventDto extends RecordArtifactDto {
  @IsString() @IsNotEmpty() stageId: string;
}

/** An action class a scope change adds: `{system, operation, kind}`. */
export class ActionScopeDto {
  @IsString() @IsNotEmpty() @MaxLength(200) system: string;
  @IsString() @IsNotEmpty() @MaxLength(200) operation: string;
  @IsIn(['read', 'write']) kind: 'read' | 'write';
}

export class ChangeScopeDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ActionScopeDto)
  add: ActionScopeDto[];
  @IsString() @IsNotEmpty() @MaxLength(4000) reason: string;
}
