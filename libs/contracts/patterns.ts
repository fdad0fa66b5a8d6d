import type { RequiredInput, Rule, Step, SystemBoundary } from './policy';
import {
  ChangeRequestedFields,
  DefinitionChange,
  publishAction,
  requestedOf,
  WORKFLOW_CHANGE,
} from './workflow-change';

/** The parts of a workflow a pattern may hold (docs/patterns.md). */
export const PATTERN_PARTS = [
  'requiredInputs',
  'systems',
  'rules',
  'steps',
  'exceptionCodes',
  'approval',
  'breakGlass',
  'closure',
] as const;
export type PatternPart = (typeof PATTERN_PARTS)[number];

/** A pattern: the parts workflows share, versioned and hashed like a workflow (docs/patterns.md). */
export interface PatternDefinition {
  name: string;
  version: number;
  title: string;
  owner: string;
  /** The parts a workflow that extends the pattern may add to but not remove or weaken. */
  locked?: PatternPart[];
  changeReviewers?: string[];
  requiredInputs?: RequiredInput[];
  systems?: SystemBoundary[];
  rules?: Rule[];
  steps?: Step[];
  exceptionCodes?: string[];
  approval?: { timeout: string };
  breakGlass?: { allowed: boolean; postReviewDue?: string; reviewer?: string };
  closure?: { evidence: string[] };
}

/** A pattern version recorded on `pattern-<name>` (docs/patterns.md). */
export interface PatternPublishedData {
  name: string;
  version: number;
  sha256: string;
  pattern: PatternDefinition;
  publishedBy: string;
  /** A widening version published on its approval (docs/patterns.md, Changing a pattern). */
  approvalId?: string;
  approvedBy?: string;
}

/**
 * A pattern version that widens what derived workflows may do, waiting for the approval of the
 * pattern's owner (its changeReviewers when the owner proposes it): docs/patterns.md, Changing a pattern.
 */
export interface PatternChangeProposedData {
  changeId: string;
  approvalId: string;
  name: string;
  /** The newest version when it was proposed. */
  fromVersion: number;
  version: number;
  sha256: string;
  changes: DefinitionChange[];
  owner: string;
  proposedBy: string;
  reviewers?: string[];
  expiresAt: string;
  pattern: PatternDefinition;
}

/** A proposed pattern version that will not be published. */
export interface PatternChangeClosedData {
  changeId: string;
  approvalId: string;
  name: string;
  version: number;
  outcome: 'rejected' | 'expired' | 'withdrawn' | 'superseded';
  decidedBy?: string;
}

export interface PatternEventMap {
  PatternPublished: PatternPublishedData;
  PatternChangeProposed: PatternChangeProposedData;
  PatternChangeClosed: PatternChangeClosedData;
}

export const PatternEvents = {
  PatternPublished: 'PatternPublished',
  PatternChangeProposed: 'PatternChangeProposed',
  PatternChangeClosed: 'PatternChangeClosed',
} as const satisfies Record<string, keyof PatternEventMap>;

export interface PublishPatternRequest {
  /** The pattern as an object, or as YAML / JSON text. */
  definition: unknown;
  actor?: string;
  /** The principals with both the admin and the approver role: who reviews an owner's own widening change. */
  adminApprovers?: string[];
}

/** What a `pattern-change` approval is about: the version proposed and its diff against the newest one. */
export interface PatternChangeRef {
  changeId: string;
  /** The pattern's name. */
  name: string;
  fromVersion: number;
  version: number;
  sha256: string;
  changes: DefinitionChange[];
}

/** The approval kind of a change to a pattern. */
export const PATTERN_CHANGE = 'pattern-change';

/** The approval kinds of changes, which belong to no work order: the queue's `kind` filter. */
export const CHANGE_KINDS = [WORKFLOW_CHANGE, PATTERN_CHANGE] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The action a pattern-change approval permits: publishing this version of this pattern. */
export const patternChangeAction = (name: string, version: number) => publishAction('pattern', name, version);

/**
 * The request (on `workgate.approvals.open-change`) that opens the approval of a recorded pattern
 * change: its event without the pattern, and when it was proposed.
 */
export type OpenPatternChangeApprovalRequest = Omit<PatternChangeProposedData, 'pattern'> & {
  kind: typeof PATTERN_CHANGE;
  proposedAt: string;
};

export function openPatternChangeApproval(
  { pattern: _pattern, ...change }: PatternChangeProposedData,
  proposedAt: string,
): OpenPatternChangeApprovalRequest {
  return { ...change, kind: PATTERN_CHANGE, proposedAt };
}

/** A pattern version that widens the newest one: published on its approval (HTTP 202) by its `owner`, the owner of the newest version. */
export interface PatternChangeRequested extends ChangeRequestedFields {
  changeId: string;
  approvalId: string;
  name: string;
}

export const patternChangeRequested = (c: PatternChangeProposedData): PatternChangeRequested => ({
  changeId: c.changeId,
  approvalId: c.approvalId,
  name: c.name,
  ...requestedOf(c, patternChangeAction(c.name, c.version)),
});

/** `POST /v1/patterns/:name/changes/:changeId/withdraw`: the change's approval, looked up by the policy service. */
export interface PatternChangeIdRequest {
  name: string;
  changeId: string;
}

/** A change a pattern's stream recorded, and its approval. */
export type PatternChangeFound = Pick<PatternChangeProposedData, 'changeId' | 'approvalId' | 'name' | 'version'>;

/** Where a pattern change stands after its approval was decided. */
export interface PatternChangeApplied {
  changeId: string;
  name: string;
  version: number;
  status: 'requested' | 'published' | 'rejected' | 'expired' | 'withdrawn' | 'superseded';
}

export interface PublishPatternResult {
  name: string;
  version: number;
  sha256: string;
  /** False when identical content was already published (nothing written). */
  created: boolean;
}

/** What publishing a pattern answers: the version published (201), or the change that waits (202). */
export type PublishPatternOutcome = PublishPatternResult | PatternChangeRequested;

export interface GetPatternRequest {
  name: string;
  version?: number;
}

export interface PatternNameRequest {
  name: string;
}

/** `GET /v1/patterns/:name/versions/:version`. */
export interface PatternVersion {
  name: string;
  version: number;
  sha256: string;
  publishedAt: string;
  pattern: PatternDefinition;
}

/** `GET /v1/patterns`: each pattern, its current version and every version. */
export interface PatternSummary {
  name: string;
  title: string;
  owner: string;
  currentVersion: number;
  versions: Array<{ version: number; sha256: string; publishedAt: string }>;
}

/** `GET /v1/patterns/:name/derived`: a workflow whose current version extends the pattern. */
export interface DerivedWorkflow {
  jobType: string;
  /** The workflow's current version. */
  version: number;
  /** The pattern version it extends. */
  patternVersion: number;
  /** Whether a newer version of the pattern is published. */
  behind: boolean;
}
