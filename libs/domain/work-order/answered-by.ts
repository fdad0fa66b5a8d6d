import { ActionDecidedData, WorkOrderOpenedData } from '@workgate/contracts';
import type { WorkOrderEvent } from './work-order.events';

type Answering = Exclude<WorkOrderEvent, { type: 'WorkOrderOpened' | 'ActionDecided' }>;

/**
 * What a work order keeps of the event that answered a command: an opening's and a decision's
 * answer fields only, not the inputs, action, facts and work-order snapshot they record (every
 * cached work order would keep them alive otherwise).
 */
export type AnsweredBy =
  | {
      type: 'WorkOrderOpened';
      eventId: string;
      data: Pick<WorkOrderOpenedData, 'workOrderId' | 'status' | 'prerequisites' | 'exceptions'>;
    }
  | { type: 'ActionDecided'; eventId: string; data: Pick<ActionDecidedData, 'actionId' | 'decision' | 'approvalId'> }
  | Answering;

export function answeredBy(e: WorkOrderEvent): AnsweredBy {
  switch (e.type) {
    case 'WorkOrderOpened': {
      const { workOrderId, status, prerequisites, exceptions } = e.data;
      return { type: e.type, eventId: e.eventId, data: { workOrderId, status, prerequisites, exceptions } };
    }
    case 'ActionDecided': {
      const { actionId, decision, approvalId } = e.data;
      return {
        type: e.type,
        eventId: e.eventId,
        data: approvalId ? { actionId, decision, approvalId } : { actionId, decision },
      };
    }
    default:
      return e;
  }
}
