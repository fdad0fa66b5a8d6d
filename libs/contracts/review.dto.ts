import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
import { IsEvidence } from './evidence-rule';
import { EvidenceDto, EvidenceField } from './work-order.dto';

/** Bodies of the commands of delegations, approvals, post-reviews and exceptions, and of a kept checkpoint. */

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
  @IsOptional()
  @IsString()
  @MaxLength(64, { context: { description: 'An RFC 3339 time, or an ISO 8601 duration from the decision (`P14D`).' } })
  due?: string;
}

/** Each condition as a ConditionDto (a string as its title), so each is validated by path. */
const asConditions = ({ value }: { value: unknown }) =>
  Array.isArray(value)
    ? value.map((c: unknown) =>
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
  @IsEvidence({ min: 1 }) @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceField;
}

export class RemediationDto {
  @IsString() @IsNotEmpty() @MaxLength(1000) title: string;
  @IsString() @IsNotEmpty() owner: string;
  @IsString()
  @IsNotEmpty()
  @MaxLength(64, { context: { description: 'An RFC 3339 time, or an ISO 8601 duration from now (`P14D`).' } })
  due: string;
}

export class CompletePostReviewDto {
  @IsString() @IsNotEmpty() @MaxLength(4000) outcome: string;
  @ValidateNested() @Type(() => RemediationDto) remediation: RemediationDto;
}

/** A resolution, evidence, or both (at least one: checked by the exception, which names both fields). */
export class ResolveExceptionDto {
  @IsOptional() @IsString() @MaxLength(4000) resolution?: string;
  @IsOptional() @IsEvidence() @ValidateNested() @Type(() => EvidenceDto) evidence?: EvidenceField;
}

export class CloseRemediationDto {
  @IsEvidence({ min: 1 }) @ValidateNested() @Type(() => EvidenceDto) evidence: EvidenceField;
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
  /** The principal an exception of this code is escalated to when still open past its SLA. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, { message: 'escalateTo must be a principal id' })
  escalateTo?: string;
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100, {
    context: { description: 'ISO 8601 duration after the SLA due time before escalating (default PT0S).' },
  })
  escalateAfter?: string;
}
