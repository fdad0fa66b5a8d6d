import type { RejectionsPage as RejectionsPageType } from '../cloud-events';
import type * as R from '../work-order-reads';
import {
  array,
  bool,
  component,
  described,
  documents,
  int,
  map,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';
import { InclusionProof, RecordedEvent } from './ledger.schemas';
import {
  approvalStatus,
  closure,
  decision,
  evidence,
  ExceptionRef,
  policyRef,
  prerequisite,
  scope,
  scopeChecks,
  scopeFields,
  tracks,
  workOrderStatus,
} from './shapes';

/** What the reads of one work order answer: its handoff, delivery page, receipts and decisions. */
export const WorkOrderHandoff = component(
  'WorkOrderHandoff',
  documents<R.WorkOrderHandoff>()(
    object(
      {
        id: str,
        status: workOrderStatus,
        jobType: str,
        workflow: object({ title: str, version: int, sha256 }),
        client: str,
        project: str,
        source: str,
        externalRef: str,
        owner: str,
        stage: str,
        nextStage: str,
        stages: array(
          object({
            id: str,
            artifact: nullable(object({ kind: str, ref: str, recordedAt: time })),
            gate: object({ kind: str, status: str, owner: str }, { approvalId: str }),
          }),
        ),
        approvals: map(str),
        pendingApprovals: array(
          object({ approvalId: str, kind: str, status: approvalStatus, owner: str }, { actionId: str }),
        ),
        prerequisites: array(prerequisite),
        steps: array(
          object({ id: str, title: str, status: oneOf('completed', 'blocked', 'pending'), evidenceRequired: strings }),
        ),
        openExceptions: array(ExceptionRef.ref),
        scopeChanges: array(object({ scopeChangeId: str, add: array(scope), reason: str, requestedAt: time, tracks })),
        blockers: strings,
        openQuestions: strings,
        artifacts: array(object({ stageId: str, kind: str, ref: str })),
        nextAction: str,
        nextOwner: str,
        closure,
        reopened: int,
      },
      {},
      'the compact state handoff of a work order; what is not known yet reads `TBD`',
    ),
  ),
);

export const DeliveryPage = component(
  'DeliveryPage',
  documents<R.DeliveryPage>()(
    object(
      {
        workOrder: str,
        title: str,
        status: workOrderStatus,
        workflow: str,
        decisions: array(
          object(
            {
              at: time,
              action: str,
              decision,
              reason: str,
              message: str,
              rule: nullable(str),
              decisionOwner: nullable(str),
              scopeChecks,
              policy: str,
            },
            {
              outcome: object(
                { status: oneOf('approved', 'rejected', 'expired', 'conditional'), at: time },
                { by: str, openConditions: int },
              ),
            },
          ),
        ),
        steps: array(object({ id: str, title: str, status: str, evidence: array(object({ kind: str })) })),
        stage: str,
        stages: array(object({ id: str, artifact: nullable(str), gate: str })),
        blockers: strings,
        openExceptions: array(object({ code: str, owner: str, dueAt: time, stepId: nullable(str) })),
        waitingFor: array(object({ what: str, owner: str })),
        nextMoves: strings,
        whoDecidesNext: nullable(str),
        closure,
      },
      {},
      'the public delivery page: no facts, inputs, evidence references or private evidence',
    ),
  ),
);

export const Receipt = component(
  'Receipt',
  documents<R.Receipt>()(
    object(
      {
        receiptId: str,
        kind: str,
        workOrderId: str,
        actor: str,
        at: time,
        policy: policyRef,
        evidence: array(evidence),
        ledger: object({ position: int, hash: sha256, prevHash: sha256 }),
      },
      {
        decision,
        reason: str,
        inputsSha256: sha256,
        approvers: described(
          strings,
          'an approval outcome of several approvers: every approver whose decision counted',
        ),
        event: described(RecordedEvent.ref, 'the recorded event itself (ops leads only)'),
        proof: InclusionProof.ref,
        proofUnavailable: str,
      },
    ),
  ),
);

export const DecisionRecord = component(
  'DecisionRecord',
  documents<R.DecisionRecord>()(
    object(
      {
        receiptId: str,
        actionId: str,
        at: time,
        action: object(scopeFields, { objects: strings, stepId: str, argumentsSha256: sha256 }),
        facts: map(),
        decision,
        reason: str,
        message: str,
        rule: nullable(str),
        decisionOwner: nullable(str),
        policy: policyRef,
      },
      { approvalId: str },
    ),
  ),
);

export const RejectionsPage = component(
  'RejectionsPage',
  documents<RejectionsPageType>()(
    object(
      {
        rejections: array(
          object({
            rejectionId: str,
            channel: oneOf('nats', 'http'),
            source: str,
            subject: str,
            receivedAt: time,
            headers: map(str),
            rawBase64: str,
            rawBytes: int,
            rawSha256: sha256,
            truncated: bool,
            reasons: strings,
            position: int,
          }),
        ),
      },
      { next: described(int, 'pass as `before` for the next (older) page') },
    ),
  ),
);
