/** A workflow definition (SPEC section 2): the policy artifact of one job type. */

export type Decision = 'run' | 'wait' | 'stop';

export interface RequiredInput {
  name: string;
  /** When present, the input must equal this value. */
  equals?: unknown;
}

export interface SystemBoundary {
  name: string;
  read: boolean;
  /** Operations that may write to the system. */
  write: string[];
}

export interface Rule {
  id: string;
  /** CEL over `action`, `facts`, `workOrder`. */
  when: string;
  decision: Decision;
  /** Stated reason for a `stop` (default: "rule <id>"). */
  reason?: string;
  /** Decision owner for this rule's wait/stop (default: the workflow owner). */
  owner?: string;
}

export interface Step {
  id: string;
  title: string;
  /** Evidence kinds required to complete the step. */
  evidence?: string[];
}

export interface Stage {
  id: string;
  artifact: string;
  gate: string;
}

export interface Overlay {
  id: string;
  when: string;
  gate: string;
}

export interface WorkflowDefinition {
  jobType: string;
  version: number;
  title: string;
  owner: string;
  requiredInputs?: RequiredInput[];
  systems: SystemBoundary[];
  rules?: Rule[];
  steps?: Step[];
  approval?: { timeout: string };
  breakGlass?: { allowed: boolean; postReviewDue?: string; reviewer?: string };
  closure?: { evidence: string[] };
  exceptionCodes?: string[];
  delegation?: { initialWait: string; reminderEvery: string; backoff: number; hardTimeout: string };
  /** A work order blocked or waiting longer than this counts as stalled (default PT24H). */
  stallAfter?: string;
  stages?: Stage[];
  overlays?: Overlay[];
}

/** What an actor asks to do: its scope is `{system, operation, kind}`. */
export interface ActionRequest {
  system: string;
  operation: string;
  kind: 'read' | 'write';
  /** Objects the action touches beyond the system itself, e.g. `order:1001`. */
  objects?: string[];
  stepId?: string;
}

export type Facts = Record<string, unknown>;

export interface DecisionInput {
  action: ActionRequest;
  facts?: Facts;
  workOrder?: Record<string, unknown>;
}

export interface PolicyRef {
  jobType: string;
  version: number;
  sha256: string;
}

export type DecisionReason =
  | 'system_not_named'
  | 'read_not_allowed'
  | 'write_not_allowed'
  | 'rule_error'
  | 'rule_matched'
  | 'inside_boundary';

/** Every decision answers with this receipt body. */
export interface DecisionResult {
  decision: Decision;
  reason: DecisionReason;
  /** Human-readable explanation (e.g. the rule's stated reason or the CEL error). */
  message: string;
  /** The rule that produced the decision, or null for a boundary decision. */
  rule: string | null;
  /** Who decides next: the owner for wait and stop; null for run. */
  decisionOwner: string | null;
  policy: PolicyRef;
  objectsNamed: number;
  scopeChecks: { passed: number; total: number };
  inputsSha256: string;
}
