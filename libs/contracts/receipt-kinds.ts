import type { WorkOrderEventMap } from './work-order.events';

/** What each event of a work order is the receipt of: every command's answering event is a receipt (docs/api.md, Routes (`GET /v1/receipts/:id`)). */
export const RECEIPT_KINDS: Readonly<Record<keyof WorkOrderEventMap, string>> = {
  WorkOrderOpened: 'opening',
  ActionRequested: 'action-request',
  ActionDecided: 'decision',
  ActionPerformed: 'action-result',
  StepCompleted: 'step',
  StepBlocked: 'exception',
  WorkOrderClosed: 'closure',
  WorkOrderClosureReported: 'closure-reported',
  WorkOrderReopened: 'reopening',
  ApprovalResolved: 'approval-outcome',
  ApprovalConditional: 'approval-conditional',
  WorkOrderExceptionRaised: 'exception',
  WorkOrderExceptionClosed: 'exception-closed',
  BreakGlassUsed: 'break-glass',
  WorkOrderStopped: 'stop',
  StageArtifactRecorded: 'stage-artifact',
  GateRequested: 'gate',
  ScopeChangeRequested: 'scope-change',
  TaskDelegated: 'delegation',
};

const KINDS = new Map<string, string>(Object.entries(RECEIPT_KINDS));

/** The receipt kind of an event type, if events of that type are receipts. */
export const receiptKindOf = (type: string): string | undefined => KINDS.get(type);
