import {
  ChangeRef,
  EventOf,
  refuse,
  WorkflowChangeProposedData,
  WorkflowDefinition,
  WorkflowDiff,
  WorkflowDraftSavedData,
} from '@workgate/contracts';
import { changeReviewers, DEFAULT_APPROVAL_TIMEOUT, diffDefinitions, parseDuration } from '@workgate/workflow';
import { Aggregate, Clock, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';

/** What a job type's stream (`workflow-<jobType>`) records: versions, drafts, changes waiting for approval. */
interface Recorded {
  jobType: string;
  /** sha256 -> version, of every version published. */
  published: ReadonlyMap<string, number>;
  drafts: ReadonlyMap<string, WorkflowDraftSavedData>;
  /** Changes that widen the current version, by approval id, until approved, rejected, expired or withdrawn. */
  pending: ReadonlyMap<string, WorkflowChangeProposedData>;
  /** Every change ever proposed, by change id: its approval and version. */
  proposals: ReadonlyMap<string, ChangeRef>;
}

export type WorkflowState =
  | { status: 'none' }
  | (Recorded & { status: 'unpublished' })
  | (Recorded & { status: 'published'; current: WorkflowDefinition });

export type WorkflowCommand =
  | {
      type: 'SaveDraft';
      draftId: string;
      jobType: string;
      /** A new draft (an update of a draft that does not exist is refused). */
      create: boolean;
      source: unknown;
      problems: Array<{ path: string; message: string }>;
      by: string;
    }
  | {
      type: 'PublishVersion';
      definition: WorkflowDefinition;
      sha256: string;
      by: string;
      /** False for the deployer's own files (`workflows/` at start): they publish at once. */
      governed: boolean;
      /** Ids for a proposal, should the version widen the current one. */
      changeId: string;
      approvalId: string;
      draftId?: string;
      /** The principals with both the admin and the approver role: who reviews an owner's own change by default. */
      adminApprovers?: readonly string[];
    }
  | {
      type: 'CloseChange';
      approvalId: string;
      outcome: 'approved' | 'rejected' | 'expired' | 'withdrawn';
      by?: string;
    };

export type WorkflowEvent = EventOf<'workflow'> & { eventId?: string };

export const initialWorkflowState = (): WorkflowState => ({ status: 'none' });

const recorded = (state: WorkflowState, jobType: string): Recorded =>
  state.status === 'none'
    ? { jobType, published: new Map(), drafts: new Map(), pending: new Map(), proposals: new Map() }
    : state;

/** The diff of a definition against the version in force; null when none is. */
export function diffAgainstCurrent(state: WorkflowState, definition: WorkflowDefinition): WorkflowDiff | null {
  return state.status === 'published' ? diffDefinitions(state.current, definition) : null;
}

/**
 * Changing a workflow (docs/policy.md, Changing a workflow): drafts are kept whatever their problems; versions only go
 * up; a version that widens the one in force is proposed to that version's owner (to the change
 * reviewers when that owner proposes it, refused when there are none) and published only when
 * approved; the first version, a version that does not widen, and the deployer's own
 * files publish at once. Time comes in `now`.
 */
export function decideWorkflow(command: WorkflowCommand, state: WorkflowState, { now }: Clock): WorkflowEvent[] {
  switch (command.type) {
    case 'SaveDraft': {
      const { draftId, jobType, create, source, problems, by } = command;
      const earlier = recorded(state, jobType).drafts.get(draftId);
      if (create && earlier) return []; // the same draft seen again
      if (!create && !earlier) throw refuse('not_found', `${jobType} has no draft ${draftId}`);
      const revision = (earlier?.revision ?? 0) + 1;
      const data: WorkflowDraftSavedData = { draftId, jobType, revision, source, problems, savedBy: by, savedAt: now };
      return [{ type: 'WorkflowDraftSaved', data }];
    }
    case 'PublishVersion':
      return publishVersion(command, state, now);
    case 'CloseChange': {
      if (state.status === 'none') return [];
      const change = state.pending.get(command.approvalId);
      if (!change) return []; // closed already
      const { changeId, approvalId, jobType, version, sha256, definition } = change;
      const closed = { changeId, approvalId, jobType, version, ...(command.by ? { decidedBy: command.by } : {}) };
      if (command.outcome !== 'approved')
        return [{ type: 'WorkflowChangeClosed', data: { ...closed, outcome: command.outcome } }];
      // A higher version published meanwhile: versions never go down.
      if (state.status === 'published' && version <= state.current.version)
        return [{ type: 'WorkflowChangeClosed', data: { ...closed, outcome: 'superseded' } }];
      return [
        {
          type: 'WorkflowPublished',
          eventId: deterministicUuid('WorkflowPublished', sha256),
          data: { jobType, version, sha256, definition, changeId, approvalId, approvedBy: command.by },
        },
      ];
    }
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

function publishVersion(
  command: Extract<WorkflowCommand, { type: 'PublishVersion' }>,
  state: WorkflowState,
  now: string,
): WorkflowEvent[] {
  const { definition, sha256, by, governed, changeId, approvalId, draftId, adminApprovers = [] } = command;
  const { jobType, version } = definition;
  const was = recorded(state, jobType);
  // Identical content is published already, or waits for its approval already.
  if (was.published.has(sha256) || [...was.pending.values()].some((c) => c.sha256 === sha256)) return [];
  const highest = Math.max(
    state.status === 'published' ? state.current.version : 0,
    ...[...was.pending.values()].map((c) => c.version),
  );
  if (version <= highest) {
    const waiting = [...was.pending.values()].find((c) => c.version === highest);
    throw refuse(
      'version_not_higher',
      `${jobType} is at version ${highest}${waiting ? ' (waiting for approval)' : ''}; a new definition needs a higher version than ${version}`,
      [{ jobType, currentVersion: highest, version }],
    );
  }
  const published: WorkflowEvent = {
    type: 'WorkflowPublished',
    eventId: deterministicUuid('WorkflowPublished', sha256),
    data: { jobType, version, sha256, definition },
  };
  const diff = diffAgainstCurrent(state, definition);
  if (state.status !== 'published' || !governed || !diff?.widens) return [published];
  const owner = state.current.owner;
  const reviewers = by === owner ? changeReviewers(state.current, by, adminApprovers) : undefined;
  if (reviewers?.length === 0)
    throw refuse(
      'no_reviewers',
      `${by} owns ${jobType}: its change needs another reviewer (changeReviewers, or another admin with the approver role) and there is none`,
      [{ jobType, owner, changeReviewers: state.current.changeReviewers ?? null }],
    );
  const timeout = parseDuration(state.current.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT) ?? 0;
  const data: WorkflowChangeProposedData = {
    changeId,
    approvalId,
    jobType,
    fromVersion: state.current.version,
    version,
    sha256,
    changes: diff.changes,
    ...(draftId ? { draftId } : {}),
    owner,
    proposedBy: by,
    ...(reviewers ? { reviewers } : {}),
    expiresAt: new Date(Date.parse(now) + timeout).toISOString(),
    definition,
  };
  return [{ type: 'WorkflowChangeProposed', data }];
}

/** The state with what is recorded changed, its version in force kept. */
const keeping = (state: WorkflowState, r: Recorded): WorkflowState =>
  state.status === 'published'
    ? { ...r, status: 'published', current: state.current }
    : { ...r, status: 'unpublished' };

export function evolveWorkflow(state: WorkflowState, event: WorkflowEvent): WorkflowState {
  const was = recorded(state, event.data.jobType);
  switch (event.type) {
    case 'WorkflowPublished': {
      const { sha256, version, definition } = event.data;
      const published = new Map(was.published).set(sha256, version);
      const pending = new Map([...was.pending].filter(([, c]) => c.sha256 !== sha256));
      const current = state.status === 'published' && state.current.version > version ? state.current : definition;
      return { ...was, status: 'published', published, pending, current };
    }
    case 'WorkflowDraftSaved':
      return keeping(state, { ...was, drafts: new Map(was.drafts).set(event.data.draftId, event.data) });
    case 'WorkflowChangeProposed': {
      const { changeId, approvalId, jobType, version } = event.data;
      const pending = new Map(was.pending).set(approvalId, event.data);
      const proposals = new Map(was.proposals).set(changeId, { changeId, approvalId, jobType, version });
      return keeping(state, { ...was, pending, proposals });
    }
    case 'WorkflowChangeClosed': {
      const pending = new Map(was.pending);
      pending.delete(event.data.approvalId);
      return keeping(state, { ...was, pending });
    }
    default: {
      const never: never = event;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** A job type's workflow aggregate (`workflow-<jobType>`). */
export const workflows: Aggregate<WorkflowState, WorkflowCommand, WorkflowEvent> = {
  stream: 'workflow',
  initial: initialWorkflowState,
  evolve: evolveWorkflow,
  decide: decideWorkflow,
  eventId: versionedEventId('workflow'),
};
