import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/**
 * Bodies of the commands, one DTO each, shared by the HTTP routes, the CloudEvents `data` and the
 * services they travel to (the types of the NATS requests are these bodies).
 * Validated with whitelist + forbidNonWhitelisted: an unknown key at any depth is refused.
 * `inputs` and `facts` are free-form maps by design (prototype keys are refused separately).
 */
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
}

export class CompleteStepDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => EvidenceDto) evidence: EvidenceDto[];
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class BlockStepDto {
  @IsString() @IsNotEmpty() code: string;
  @IsString() @IsNotEmpty() @MaxLength(4000) rationale: string;
}

/** Missing closure evidence is the domain's refusal (`closure_evidence_required`), not a shape error. */
export class CloseWorkOrderDto {
  @IsOptional() @IsString() @MaxLength(200) closureEvidenceId?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => EvidenceDto) evidence?: EvidenceDto[];
}

export class ReportClosureDto {
  @IsOptional() @IsISO8601({ strict: true }) closedAt?: string;
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => EvidenceDto) evidence?: EvidenceDto[];
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
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => EvidenceDto) evidence?: EvidenceDto[];
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

export class DelegationArtifactDto {
  @IsOptional() @IsString() @MaxLength(1000) path?: string;
  @IsOptional() @IsString() access?: string;
}

/** Parts may be missing here: the delegation contract names every missing part (422 prompt_incomplete). */
export class DelegationPromptDto {
  @IsOptional() @IsString() @MaxLength(8000) objective?: string;
  @IsOptional() @IsString() @MaxLength(8000) scope?: string;
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DelegationArtifactDto)
  artifacts?: DelegationArtifactDto[];
  @IsOptional() @IsArray() @IsString({ each: true }) verification?: string[];
  @IsOptional() @IsString() @MaxLength(8000) completion?: string;
}

/** ISO 8601 durations overriding the workflow's delegation contract. */
export class DelegationTimeoutsDto {
  @IsOptional() @IsString() initialWait?: string;
  @IsOptional() @IsString() reminderEvery?: string;
  @IsOptional() @IsNumber() backoff?: number;
  @IsOptional() @IsString() hardTimeout?: string;
}

export class DispatchDelegationDto {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, { message: 'recipient must be a principal id' })
  recipient: string;
  @IsIn(['delegate_task', 'execute']) command: 'delegate_task' | 'execute';
  @IsObject() @ValidateNested() @Type(() => DelegationPromptDto) prompt: DelegationPromptDto;
  @IsOptional() @ValidateNested() @Type(() => DelegationTimeoutsDto) timeouts?: DelegationTimeoutsDto;
}

export class ConfirmDelegationDto {
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class PermittedActionDto {
  @IsString() @IsNotEmpty() system: string;
  @IsString() @IsNotEmpty() operation: string;
  @IsIn(['read', 'write']) kind: 'read' | 'write';
  @IsOptional() @IsArray() @IsString({ each: true }) objects?: string[];
  /** A tool call's approval: this exact call (its arguments' SHA-256), once; without it, every call of the tool. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'argumentsSha256 must be 64 lowercase hex characters' })
  argumentsSha256?: string;
}

/** A condition of a conditional approval; a plain string is its title. */
export class ConditionDto {
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    message: 'id must be a letter or digit, then up to 63 of letters, digits, _ . -',
  })
  id?: string;
  @IsString() @IsNotEmpty() @MaxLength(1000) title: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  /** An RFC 3339 time, or an ISO 8601 duration from the decision (`P14D`). */
  @IsOptional() @IsString() @MaxLength(64) due?: string;
}

/** Each condition as a ConditionDto (a string as its title), so each is validated by path. */
const asConditions = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((c) =>
        typeof c === 'string'
          ? plainToInstance(ConditionDto, { title: c })
          : c !== null && typeof c === 'object' && !Array.isArray(c)
            ? plainToInstance(ConditionDto, c)
            : c,
      )
    : value;

export class DecideApprovalDto {
  @IsIn(['approve', 'reject', 'conditional']) decision: 'approve' | 'reject' | 'conditional';
  @IsOptional() @ValidateNested() @Type(() => PermittedActionDto) permittedAction?: PermittedActionDto;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Transform(asConditions)
  @ValidateNested({ each: true })
  conditions?: Array<string | ConditionDto>;
  @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class CloseConditionDto {
  @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceDto;
}

export class RemediationDto {
  @IsString() @IsNotEmpty() @MaxLength(1000) title: string;
  @IsString() @IsNotEmpty() owner: string;
  /** An RFC 3339 time, or an ISO 8601 duration from now (`P14D`). */
  @IsString() @IsNotEmpty() @MaxLength(64) due: string;
}

export class CompletePostReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) outcome: string;
  @ValidateNested() @Type(() => RemediationDto) remediation: RemediationDto;
}

/** A resolution, evidence, or both (at least one: checked by the exception, which names both fields). */
export class ResolveExceptionDto {
  @IsOptional() @IsString() @MaxLength(4000) resolution?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence?: EvidenceDto[];
}

export class CloseRemediationDto {
  @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceDto;
}

/** A checkpoint as `GET /v1/ledger/checkpoint` gave it. */
export class SignedCheckpointDto {
  @IsInt() @Min(0) position: number;
  @IsString() @Matches(/^[0-9a-f]{64}$/, { message: 'headHash must be 64 lowercase hex characters' }) headHash: string;
  @IsISO8601({ strict: true }) at: string;
  @IsString() @IsNotEmpty() @MaxLength(200) keyId: string;
  @IsString() @IsNotEmpty() @MaxLength(200) signature: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) publicKey: string;
  @IsOptional() @IsInt() @Min(0) treeSize?: number;
  @IsOptional() @IsString() @MaxLength(100) rootHash?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(10_000) note?: string;
  @IsOptional() @IsString() @MaxLength(500) verifierKey?: string;
}

/** A kept checkpoint: its JSON form (as `GET /v1/ledger/checkpoint` answers it), or its signed note alone. */
export class VerifyCheckpointDto {
  @ValidateIf((o: VerifyCheckpointDto) => o.note === undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => SignedCheckpointDto)
  checkpoint?: SignedCheckpointDto;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(10_000) note?: string;
}

export class ExceptionCodeDto {
  @Matches(/^[A-Z][A-Z0-9_]*$/, { message: 'code must look like PREREQ_MISSING' }) code: string;
  @IsString() @IsNotEmpty() @MaxLength(500) title: string;
  @IsString() @IsNotEmpty() owner: string;
  @IsString() @IsNotEmpty() sla: string;
}
