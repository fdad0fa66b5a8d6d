import {
  eventOf,
  PolicyEvents,
  RecordedEvent,
  requestedOf,
  WorkflowChangeProposedData,
  WorkflowChangeRequested,
  workflowChangeAction,
} from '@workgate/contracts';
import { WorkflowEvent } from '@workgate/domain';

/** Every event type of a `workflow-<jobType>` stream: what the registry is rebuilt from. */
export const WORKFLOW_EVENTS = [
  PolicyEvents.WorkflowPublished,
  PolicyEvents.DraftSaved,
  PolicyEvents.ChangeProposed,
  PolicyEvents.ChangeClosed,
] as const;

/** A recorded event of a workflow stream as the workflow aggregate's event, or undefined. */
export function workflowEventOf(e: RecordedEvent): WorkflowEvent | undefined {
  const published = eventOf(e, 'workflow', PolicyEvents.WorkflowPublished);
  if (published) return { type: published.type, data: published.data };
  const draft = eventOf(e, 'workflow', PolicyEvents.DraftSaved);
  if (draft) return { type: draft.type, data: draft.data };
  const proposed = eventOf(e, 'workflow', PolicyEvents.ChangeProposed);
  if (proposed) return { type: proposed.type, data: proposed.data };
  const closed = eventOf(e, 'workflow', PolicyEvents.ChangeClosed);
  return closed ? { type: closed.type, data: closed.data } : undefined;
}

/** The 202 of a version that widens the one in force. */
export function changeRequested(c: WorkflowChangeProposedData): WorkflowChangeRequested {
  return {
    changeId: c.changeId,
    approvalId: c.approvalId,
    jobType: c.jobType,
    ...requestedOf(c, workflowChangeAction(c.jobType, c.version)),
  };
}
