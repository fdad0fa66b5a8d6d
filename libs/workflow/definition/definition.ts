/** The definition and decision types cross process boundaries, so they live in libs/contracts. */
export type {
  ActionRequest,
  ActionScope,
  Decision,
  DecisionInput,
  DecisionReason,
  DecisionResult,
  Facts,
  Overlay,
  PolicyRef,
  RequiredInput,
  Rule,
  Stage,
  Step,
  SystemBoundary,
  WorkflowDefinition,
} from '@workgate/contracts';
