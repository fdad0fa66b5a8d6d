import type { ActionScope, PublishWorkflowResult, WorkflowDefinition, WorkflowPublishedData } from './policy';
import type { WorkflowMap } from './workflow-map';

/** A change between two workflow versions or drafts, and what it does to the boundary (docs/policy.md, Changing a workflow). */

/** `widens`: delegated work may do what the earlier version refused or held; `narrows`: the reverse. */
export type ChangeEffect = 'widens' | 'narrows' | 'neutral';

export interface DefinitionChange {
  /** Where in the definition, e.g. `systems[shop].write`, `rules[refunds-wait].decision`. */
  path: string;
  /** What it was and what it is (absent when the item was added or removed). */
  before?: unknown;
  after?: unknown;
  effect: ChangeEffect;
  /** A sentence a person reads. */
  message: string;
}

/** `GET /v1/workflows/:jobType/diff?from=&to=`. */
export interface WorkflowDiff {
  /** Whether any change widens the boundary: such a version is published only with its owner's approval. */
  widens: boolean;
  changes: DefinitionChange[];
}

/** A draft of a new version (docs/policy.md, Changing a workflow): kept as given, with its problems, in the ledger. */
export interface WorkflowDraftSavedData {
  draftId: string;
  jobType: string;
  /** 1 when created; each update adds one. */
  revision: number;
  /** The definition as it was given: YAML/JSON text or an object. */
  source: unknown;
  /** What the validator found (none: the draft may be proposed). */
  problems: Array<{ path: string; message: string }>;
  savedBy: string;
  savedAt: string;
}

/** What a `workflow-change` approval is about: the version proposed and its diff against the current one. */
export interface WorkflowChangeRef {
  changeId: string;
  jobType: string;
  /** The version in force when it was proposed. */
  fromVersion: number;
  version: number;
  sha256: string;
  changes: DefinitionChange[];
  /** The draft it was proposed from, if any. */
  draftId?: string;
}

/** A version that widens the current one waits for its owner's approval (`workflow-change`). */
export interface WorkflowChangeProposedData extends WorkflowChangeRef {
  approvalId: string;
  owner: string;
  proposedBy: string;
  /** When the owner proposed it: who decides it instead (docs/policy.md, Changing a workflow). */
  reviewers?: string[];
  expiresAt: string;
  definition: WorkflowDefinition;
}

/**
 * `workgate.approvals.open-change`: the policy service asks the approvals service, which alone
 * writes `approval-<id>` streams, to open the approval of a change it recorded (docs/policy.md,
 * Changing a workflow). The change's event without its definition, and when it was proposed (the
 * approval's `requestedAt`): asked again, the same approval is answered and nothing is written.
 */
export type OpenChangeApprovalRequest = Omit<WorkflowChangeProposedData, 'definition'> & { proposedAt: string };

/** The request that opens the approval of a recorded change. */
export function openChangeApproval(
  { definition: _definition, ...change }: WorkflowChangeProposedData,
  proposedAt: string,
): OpenChangeApprovalRequest {
  return { ...change, proposedAt };
}

/** A proposed change that was not published: rejected, expired, or overtaken by a higher version. */
export interface WorkflowChangeClosedData {
  changeId: string;
  approvalId: string;
  jobType: string;
  version: number;
  outcome: 'rejected' | 'expired' | 'withdrawn' | 'superseded';
  decidedBy?: string;
}

/** `POST /v1/workflows/:jobType/drafts` and `PUT …/drafts/:draftId`. */
export interface SaveDraftRequest {
  jobType: string;
  /** Absent: a new draft. */
  draftId?: string;
  definition: unknown;
  by: string;
}

export interface DraftIdRequest {
  jobType: string;
  draftId: string;
}

/** A draft as the designer reads it: its problems, its diff against the current version and its map (null while it has problems). */
export interface WorkflowDraft {
  draftId: string;
  jobType: string;
  revision: number;
  savedBy: string;
  savedAt: string;
  source: unknown;
  problems: Array<{ path: string; message: string }>;
  /** Against the current version; null while the draft has problems or the job type has no version yet. */
  diff: WorkflowDiff | null;
  map: WorkflowMap | null;
}

/** A draft in the list of a job type's drafts. */
export interface WorkflowDraftSummary {
  draftId: string;
  jobType: string;
  revision: number;
  savedBy: string;
  savedAt: string;
  problems: number;
}

export interface DiffRequest {
  jobType: string;
  /** A version number (default: the current one). */
  from?: number;
  /** A version number or a draft id (default: the current version). */
  to?: string;
}

/** What a widening change waiting for approval answers besides what it changes: a workflow's or a pattern's. */
export interface ChangeRequestedFields {
  version: number;
  sha256: string;
  owner: string;
  /** When the owner proposed it: who decides it instead. */
  reviewers?: string[];
  status: 'requested';
  expiresAt: string;
  changes: DefinitionChange[];
  /** What an approver may name as `permittedAction` (the decision needs none). */
  permittedAction: ActionScope & { objects: string[] };
}

/** A version that widens the current one: its approval by the current owner publishes it (HTTP 202). */
export interface WorkflowChangeRequested extends ChangeRequestedFields {
  changeId: string;
  approvalId: string;
  jobType: string;
}

/** `POST …/drafts/:draftId/propose`. */
export interface ProposeDraftRequest extends DraftIdRequest {
  by: string;
  /** As for a publish: the principals with both the admin and the approver role. */
  adminApprovers?: string[];
}

/** `POST /v1/workflows/:jobType/changes/:changeId/withdraw`: the change's approval, looked up by the policy service. */
export interface ChangeIdRequest {
  jobType: string;
  changeId: string;
}

/** A change a job type's stream recorded, and its approval. */
export interface ChangeRef {
  changeId: string;
  approvalId: string;
  jobType: string;
  version: number;
}

/** Who decides a widening change of a job type: its owner, or the reviewers when the owner proposes it. */
export interface ChangeDeciders {
  jobType: string;
  owner: string;
  /** Who decides a change the owner proposes (empty: nobody could, and such a change is refused). */
  reviewers: string[];
}

/** The approval kind of a change to a workflow. */
export const WORKFLOW_CHANGE = 'workflow-change';

/** The action a change's approval permits: publishing this version of this workflow or pattern. */
export const publishAction = (what: 'workflow' | 'pattern', name: string, version: number) => ({
  system: 'workgate',
  operation: `publish-${what}`,
  kind: 'write' as const,
  objects: [`${what}:${name}@${version}`],
});

/** The action a workflow-change approval permits: publishing this version of this job type. */
export const workflowChangeAction = (jobType: string, version: number) => publishAction('workflow', jobType, version);

/** What a widening change waiting for approval answers (HTTP 202) besides what it changes: a workflow's or a pattern's. */
export const requestedOf = (
  c: Pick<WorkflowChangeProposedData, 'version' | 'sha256' | 'owner' | 'reviewers' | 'expiresAt' | 'changes'>,
  permittedAction: ReturnType<typeof publishAction>,
): ChangeRequestedFields => ({
  version: c.version,
  sha256: c.sha256,
  owner: c.owner,
  ...(c.reviewers ? { reviewers: c.reviewers } : {}),
  status: 'requested' as const,
  expiresAt: c.expiresAt,
  changes: c.changes,
  permittedAction,
});

/** Event type -> data of the `workflow-<jobType>` stream. */
export interface WorkflowEventMap {
  WorkflowPublished: WorkflowPublishedData;
  WorkflowDraftSaved: WorkflowDraftSavedData;
  WorkflowChangeProposed: WorkflowChangeProposedData;
  WorkflowChangeClosed: WorkflowChangeClosedData;
}

export const PolicyEvents = {
  WorkflowPublished: 'WorkflowPublished',
  DraftSaved: 'WorkflowDraftSaved',
  ChangeProposed: 'WorkflowChangeProposed',
  ChangeClosed: 'WorkflowChangeClosed',
} as const satisfies Record<string, keyof WorkflowEventMap>;

/** What a publish answers: the version published (HTTP 201), or the change that waits for its owner (HTTP 202). */
export type PublishOutcome = PublishWorkflowResult | WorkflowChangeRequested;

/** Whether a publish's answer is a change waiting for approval. */
export const isChangeRequested = (outcome: PublishOutcome): outcome is WorkflowChangeRequested =>
  'status' in outcome && outcome.status === 'requested';

export interface JobTypeRequest {
  jobType: string;
}

/** Where a change stands after its approval was decided: published, or closed with the outcome. */
export interface ChangeApplied {
  changeId: string;
  jobType: string;
  version: number;
  status: 'requested' | 'published' | 'rejected' | 'expired' | 'withdrawn' | 'superseded';
}
