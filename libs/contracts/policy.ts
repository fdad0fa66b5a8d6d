/** Workflow definitions (docs/policy.md, The definition) and run / wait / stop decisions: the policy wire types. */

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
  /** The system is an MCP server: its tools are reached through `POST /mcp/work-orders/:id` (docs/agents.md, The MCP gateway). */
  mcp?: McpServerConfig;
  /** `required`: a write to this system needs a `rollbackNote` on its request, or it stops with `rollback_note_required` (docs/policy.md, Rollback notes). */
  rollback?: 'required';
}

/** How to reach an MCP server: a process over stdio, or a URL over streamable HTTP. `${NAME}` in env and headers reads workgate's environment. */
export interface McpServerConfig {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

export interface Rule {
  id: string;
  /** CEL over `action`, `facts`, `workOrder`. */
  when: string;
  decision: Decision;
  /** Stated reason for a `stop` (default: "rule <id> stops this action"). */
  reason?: string;
  /** Decision owner for this rule's wait/stop (default: the workflow owner). */
  owner?: string;
  /** The kind of approval this rule's wait asks for, as the state handoff lists it (default: the rule id). */
  gate?: string;
  /** Its wait needs `required` distinct approvers of `from` instead of its owner alone. */
  approvals?: ApprovalQuorum;
}

/**
 * How many distinct approvers an approval needs, and from whom: principal ids, the requester never
 * among those who count (docs/policy.md, Two-person approvals).
 */
export interface ApprovalQuorum {
  required: number;
  from: string[];
}

export interface Step {
  id: string;
  title: string;
  /** Evidence kinds required to complete the step. */
  evidence?: string[];
  /** Who does the step (a principal id or a role; default: the `operator` role). Drawn on the map. */
  owner?: string;
}

/** What the work touches (a case, an order, a shipment), drawn on the map (docs/policy.md, The definition). */
export interface WorkObject {
  name: string;
  /** The named system it lives in. */
  system?: string;
  owner?: string;
}

/** A place where the work is known to fail: a step, system or rule id, and what goes wrong there. */
export interface KnownFailure {
  at: string;
  note: string;
}

/** A lifecycle stage (docs/lifecycle.md, Stages): it produces an artifact of one kind, then passes its gate. */
export interface Stage {
  id: string;
  /** The artifact kind this stage produces (a discovery artifact is not a proposal). */
  artifact: string;
  /** The kind of approval that must be approved before the next stage. */
  gate: string;
  /** Who decides the gate (default: the workflow owner). */
  owner?: string;
}

/** A review laid over risky moves: an action it applies to (CEL `when`) stops until its gate is approved. */
export interface Overlay {
  id: string;
  when: string;
  gate: string;
  /** Who decides the gate (default: the workflow owner). */
  owner?: string;
  /** The gate needs `required` distinct approvers of `from` instead of its owner alone. */
  approvals?: ApprovalQuorum;
}

/** The pattern an effective definition was merged from, what it gave and what it locks (docs/patterns.md, The effective definition). */
export interface PatternRef {
  name: string;
  version: number;
  sha256: string;
  from: string[];
  locked: string[];
}

export interface WorkflowDefinition {
  jobType: string;
  version: number;
  title: string;
  owner: string;
  /** The team the workflow belongs to: views and the monthly review compare departments (docs/views.md). */
  department?: string;
  /** In a definition as written: `<pattern>@<version>`, the pattern it extends; the effective definition has `pattern`. */
  extends?: string;
  /** In an effective definition: the pattern it was merged from (docs/patterns.md). */
  pattern?: PatternRef;
  requiredInputs?: RequiredInput[];
  systems: SystemBoundary[];
  rules?: Rule[];
  steps?: Step[];
  approval?: { timeout: string };
  /**
   * Who decides a widening change the workflow's owner proposes (principal ids); without it, every
   * other principal with both the admin and the approver role (docs/policy.md, Changing a workflow).
   */
  changeReviewers?: string[];
  breakGlass?: { allowed: boolean; postReviewDue?: string; reviewer?: string };
  closure?: { evidence: string[] };
  exceptionCodes?: string[];
  delegation?: { initialWait: string; reminderEvery: string; backoff: number; hardTimeout: string };
  /** A work order blocked or waiting longer than this counts as stalled (default PT24H). */
  stallAfter?: string;
  stages?: Stage[];
  overlays?: Overlay[];
  objects?: WorkObject[];
  knownFailures?: KnownFailure[];
}

/** What an actor asks to do: its scope is `{system, operation, kind}`. */
export interface ActionRequest {
  system: string;
  operation: string;
  kind: 'read' | 'write';
  /** Objects the action touches beyond the system itself, e.g. `order:1001`. */
  objects?: string[];
  stepId?: string;
  /** A tool call's: the SHA-256 of its arguments (RFC 8785 JSON), so an approval can name this very call. */
  argumentsSha256?: string;
  /** How to undo the write: required by a system with `rollback: required`; kept as private evidence on the decision's receipt. */
  rollbackNote?: string;
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
  /** The pattern the version extends, when it extends one (docs/patterns.md, The effective definition). */
  pattern?: { name: string; version: number; sha256: string };
}

export const DECISION_REASONS = [
  /** The work order is blocked by a failed prerequisite and the action writes (docs/policy.md, Deciding). */
  'work_order_blocked',
  'system_not_named',
  'read_not_allowed',
  'write_not_allowed',
  'rule_error',
  'rule_matched',
  'inside_boundary',
  /** The action belongs to a scope change whose approvals are not all approved. */
  'scope_not_approved',
  /** An overlay applies and its gate is not approved for this scope. */
  'gate_not_approved',
  /** An approval given earlier covers this call: its exact arguments (once), or its tool as a whole. */
  'approved',
  /** A write to a system with `rollback: required` whose request carries no `rollbackNote` (docs/policy.md, Rollback notes). */
  'rollback_note_required',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

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
  /** Overlays whose `when` applies to the action (present when the definition has overlays; a condition that cannot be evaluated applies). */
  overlays?: string[];
}

/** The scope of an action: what an approval or a scope change names. */
export interface ActionScope {
  system: string;
  operation: string;
  kind: 'read' | 'write';
}

export interface WorkflowPublishedData {
  jobType: string;
  version: number;
  sha256: string;
  definition: WorkflowDefinition;
  /** A widening version: the change its owner approved. */
  changeId?: string;
  approvalId?: string;
  approvedBy?: string;
}

export interface PublishWorkflowRequest {
  /** The definition as an object, or as YAML / JSON text. */
  definition: unknown;
  actor?: string;
  /** The principals with both the admin and the approver role, as the gateway knows them: who reviews an owner's own change by default. */
  adminApprovers?: string[];
}

export interface PublishWorkflowResult {
  jobType: string;
  version: number;
  sha256: string;
  /** False when identical content was already published (nothing written). */
  created: boolean;
}

export interface GetWorkflowRequest {
  jobType: string;
  version?: number;
}

export interface WorkflowVersion {
  jobType: string;
  version: number;
  sha256: string;
  publishedAt: string;
  definition: WorkflowDefinition;
}

export interface WorkflowSummary {
  jobType: string;
  title: string;
  owner: string;
  currentVersion: number;
  versions: Array<{ version: number; sha256: string; publishedAt: string }>;
}

export interface SimulateRequest {
  jobType: string;
  /** The draft as given (object or YAML/JSON text); or name a saved draft by `draftId`. */
  definition?: unknown;
  draftId?: string;
  from?: string;
  to?: string;
}

/** What decided one verdict: the decision and the rule (null only when the boundary decided, named by `reason`). */
export interface SimulatedVerdict {
  decision: Decision;
  /** The rule that decided, or null when a boundary check did. */
  rule: string | null;
  reason: DecisionReason;
}

/** A past request whose verdict the draft changes, said as a person reads it. */
export interface SimulatedChange {
  actionId: string;
  workOrderId: string;
  /** Under the version it was decided by. */
  before: SimulatedVerdict;
  /** Under the draft. */
  after: SimulatedVerdict;
  /** A sentence: what was asked, what was decided then, what the draft would decide and why. */
  message: string;
}

export interface SimulateResult {
  evaluated: number;
  changed: SimulatedChange[];
}
