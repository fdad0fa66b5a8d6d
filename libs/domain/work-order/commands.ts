import type {
  ApprovalOutcomeBody,
  BlockStepDto,
  BreakGlassDto,
  ChangeScopeDto,
  CloseExceptionBody,
  CloseWorkOrderDto,
  CompleteStepDto,
  DispatchDelegationDto,
  OpenWorkOrderDto,
  RecordActionResultDto,
  RecordArtifactDto,
  ReopenWorkOrderDto,
  ReportClosureDto,
  RequestActionDto,
  StopWorkOrderBody,
} from '@workgate/contracts';

/** The fields of a request as plain data: the domain reads them, the edge validates them. */
type Fields<T> = { [K in keyof T]: T[K] };

/** A command: its type, then its own fields, flat. */
type Command<T extends string, F, Extra = unknown> = { type: T } & Extra & Fields<F>;

export type OpenWorkOrder = Command<'OpenWorkOrder', OpenWorkOrderDto>;
export type RequestAction = Command<'RequestAction', RequestActionDto>;
export type RecordActionResult = Command<'RecordActionResult', RecordActionResultDto, { actionId: string }>;
export type UseBreakGlass = Command<'UseBreakGlass', BreakGlassDto>;
export type CompleteStep = Command<'CompleteStep', CompleteStepDto, { stepId: string }>;
export type BlockStep = Command<'BlockStep', BlockStepDto, { stepId: string }>;
export type RecordStageArtifact = Command<'RecordStageArtifact', RecordArtifactDto, { stageId: string }>;
export type ChangeScope = Command<'ChangeScope', ChangeScopeDto>;
export type DispatchDelegation = Command<'DispatchDelegation', DispatchDelegationDto>;
export type CloseWorkOrder = Command<'CloseWorkOrder', CloseWorkOrderDto>;
export type ReportClosure = Command<'ReportClosure', ReportClosureDto>;
export type ReopenWorkOrder = Command<'ReopenWorkOrder', ReopenWorkOrderDto>;
export type StopWorkOrder = Command<'StopWorkOrder', StopWorkOrderBody>;
/** An approval's outcome coming back to its work order (from the approval's stream). */
export type ApplyApprovalOutcome = Command<'ApplyApprovalOutcome', ApprovalOutcomeBody>;
/** A resolved exception coming back to its work order. */
export type CloseException = Command<'CloseException', CloseExceptionBody>;

/**
 * Every command on a work order, as the domain decides it. Those an integrator, operator or agent
 * sends arrive as requests (HTTP, CloudEvents, MCP) and are turned into these at intake's edge;
 * the last three come back from other aggregates' outcomes.
 */
export type WorkOrderCommand =
  | OpenWorkOrder
  | RequestAction
  | RecordActionResult
  | UseBreakGlass
  | CompleteStep
  | BlockStep
  | RecordStageArtifact
  | ChangeScope
  | DispatchDelegation
  | CloseWorkOrder
  | ReportClosure
  | ReopenWorkOrder
  | StopWorkOrder
  | ApplyApprovalOutcome
  | CloseException;
