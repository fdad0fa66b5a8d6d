import { DelegationAnswer, WorkOrderAnswer } from '@workgate/contracts';
import { AnsweredBy } from './answered-by';
import type { WorkOrder } from './work-order.state';

export * from './answered-by';
import { gateView, scopeChangeTracks } from './handoff';

/** The answer to the command whose answering event this is; a retry answers the same (gates and tracks as they were opened). */
export function answerOf(e: AnsweredBy, state: WorkOrder): WorkOrderAnswer {
  const receiptId = e.eventId;
  switch (e.type) {
    case 'WorkOrderOpened': {
      const { workOrderId: id, status, prerequisites, exceptions } = e.data;
      return { id, status, prerequisites, exceptions };
    }
    case 'ActionDecided':
      return {
        actionId: e.data.actionId,
        ...e.data.decision,
        receiptId,
        ...(e.data.approvalId ? { approvalId: e.data.approvalId } : {}),
      };
    case 'StageArtifactRecorded': {
      const gate = state.approvals.get(e.data.gateApprovalId)!;
      return {
        workOrderId: state.id,
        stageId: e.data.stageId,
        receiptId,
        gate: gateView({ ...gate, status: 'requested', openConditions: [] }),
      };
    }
    case 'ScopeChangeRequested':
      return {
        scopeChangeId: e.data.scopeChangeId,
        workOrderId: state.id,
        receiptId,
        add: e.data.add,
        tracks: scopeChangeTracks(state, e.data.scopeChangeId, true),
      };
    case 'StepCompleted':
      return { workOrderId: state.id, stepId: e.data.stepId, status: 'completed', receiptId };
    case 'StepBlocked': {
      const { workOrderId: _id, ...exception } = e.data;
      return { workOrderId: state.id, stepId: exception.stepId!, status: 'blocked', receiptId, exception };
    }
    case 'BreakGlassUsed': {
      const {
        workOrderId: _w,
        actionId,
        action: _a,
        facts: _f,
        postReviewId,
        reviewer,
        postReviewDueAt,
        ...exception
      } = e.data;
      return {
        actionId,
        decision: 'run',
        reason: 'break_glass',
        receiptId,
        exception,
        postReview: { id: postReviewId, owner: reviewer, dueAt: postReviewDueAt },
      };
    }
    case 'TaskDelegated': {
      const { dispatchId, dispatchCreatedAt, reminders, timeoutAt } = e.data;
      const answer: DelegationAnswer = { dispatchId, dispatchCreatedAt, reminders, timeoutAt };
      return answer;
    }
    case 'WorkOrderClosureReported':
      return { id: state.id, status: 'closed', receiptId, evidenceMissing: e.data.evidenceMissing };
    default:
      return { id: state.id, status: state.status, receiptId };
  }
}
