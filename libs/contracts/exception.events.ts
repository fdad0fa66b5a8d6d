/** What the streams the exceptions service keeps record: exceptions, drift signals, the code catalog. */
import { Evidence } from './work-order.events';
import type { EvidenceInput } from './evidence-input';

export interface RemediationTask {
  taskId: string;
  title: string;
  owner: string;
  /** RFC 3339. */
  due: string;
  closed: boolean;
  /** The evidence it was closed with. */
  evidence?: Evidence[];
}

export interface ExceptionRaisedData {
  exceptionId: string;
  workOrderId: string;
  stepId: string | null;
  code: string;
  rationale: string;
  owner: string;
  dueAt: string;
  raisedBy: string;
  at: string;
}

export interface ExceptionResolvedData {
  exceptionId: string;
  /** What was done (absent when the evidence says it alone). */
  resolution?: string;
  /** Evidence of the resolution (empty when the resolution text says it alone). */
  evidence: Evidence[];
  resolvedBy: string;
  at: string;
}

export interface SlaBreachedData {
  exceptionId: string;
  code: string;
  owner: string;
  dueAt: string;
  at: string;
  /** The code's escalation rule as the catalog had it at the breach: whom it escalates to, and when (RFC 3339). */
  escalateTo?: string;
  escalateAt?: string;
}

/** An open exception past its SLA due time plus its code's `escalateAfter`: handed to `escalateTo`, once. */
export interface ExceptionEscalatedData {
  exceptionId: string;
  workOrderId: string;
  stepId: string | null;
  code: string;
  owner: string;
  escalatedTo: string;
  /** The SLA due time, and when the escalation fell due (the due time plus `escalateAfter`). */
  dueAt: string;
  escalateAt: string;
  at: string;
}

export interface RemediationAddedData {
  exceptionId: string;
  task: RemediationTask;
  addedBy: string;
  at: string;
}

export interface RemediationClosedData {
  exceptionId: string;
  taskId: string;
  /** A list (a single object in tasks closed by versions that took one). */
  evidence: EvidenceInput;
  closedBy: string;
  at: string;
}

/** Event type -> data of the `exception-<id>` stream. */
export interface ExceptionEventMap {
  ExceptionRaised: ExceptionRaisedData;
  ExceptionResolved: ExceptionResolvedData;
  SlaBreached: SlaBreachedData;
  ExceptionEscalated: ExceptionEscalatedData;
  RemediationAdded: RemediationAddedData;
  RemediationClosed: RemediationClosedData;
}

export const ExceptionEvents = {
  Raised: 'ExceptionRaised',
  Resolved: 'ExceptionResolved',
  SlaBreached: 'SlaBreached',
  Escalated: 'ExceptionEscalated',
  RemediationAdded: 'RemediationAdded',
  RemediationClosed: 'RemediationClosed',
} as const satisfies Record<string, keyof ExceptionEventMap>;

/** A repeating exception code: a process signal with a remediation task for the code's owner. */
export interface DriftSignaledData {
  signalId: string;
  code: string;
  count: number;
  windowStart: string;
  owner: string;
  task: { taskId: string; title: string; owner: string; due: string };
}

/** Event type -> data of the `drift-<signalId>` stream. */
export interface DriftEventMap {
  DriftSignaled: DriftSignaledData;
}

export const DriftEvents = { Signaled: 'DriftSignaled' } as const satisfies Record<string, keyof DriftEventMap>;

/** An entry of the exception-code catalog. */
export interface ExceptionCode {
  code: string;
  title: string;
  owner: string;
  /** ISO 8601 duration. */
  sla: string;
  /** The principal an exception of this code is escalated to when still open past its SLA. */
  escalateTo?: string;
  /** ISO 8601 duration after the SLA due time before the escalation (default `PT0S`); only with `escalateTo`. */
  escalateAfter?: string;
}

/** Event type -> data of the `catalog-exception-codes` stream: one event per code added or changed. */
export interface CatalogEventMap {
  ExceptionCodeDefined: ExceptionCode;
}

export const CatalogEvents = { CodeDefined: 'ExceptionCodeDefined' } as const satisfies Record<
  string,
  keyof CatalogEventMap
>;
