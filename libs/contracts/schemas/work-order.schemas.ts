import { DECISION_REASONS } from '../policy';
import type * as C from '../work-orders';
import {
  array,
  bool,
  component,
  constant,
  described,
  documents,
  int,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';
import {
  decision,
  ExceptionRef,
  policyRef,
  prerequisite,
  scope,
  scopeChecks,
  tracks,
  workOrderStatus,
  approvalStatus,
} from './shapes';

/** What the work order's commands answer. */
export const OpenedAnswer = component(
  'OpenedAnswer',
  documents<C.OpenedAnswer>()(
    object(
      { id: str, status: workOrderStatus, prerequisites: array(prerequisite), exceptions: array(ExceptionRef.ref) },
      {},
      'the work order opened (or the one already open for this source and externalRef)',
    ),
  ),
);

export const ActionAnswer = component(
  'ActionAnswer',
  documents<C.ActionAnswer>()(
    object(
      {
        actionId: str,
        receiptId: str,
        decision,
        reason: oneOf(...DECISION_REASONS),
        message: str,
        rule: nullable(str),
        decisionOwner: nullable(str),
        policy: policyRef,
        objectsNamed: int,
        scopeChecks,
        inputsSha256: sha256,
      },
      {
        approvalId: described(str, 'the approval a `wait` waits for, or the one that must approve first'),
        overlays: strings,
      },
      'the decision on the action: run, wait for its named owner, or stop with a reason',
    ),
  ),
);

export const BreakGlassAnswer = component(
  'BreakGlassAnswer',
  documents<C.BreakGlassAnswer>()(
    object({
      actionId: str,
      decision: oneOf('run'),
      reason: oneOf('break_glass'),
      receiptId: str,
      exception: ExceptionRef.ref,
      postReview: object({ id: str, owner: str, dueAt: time }),
    }),
  ),
);

export const StepAnswer = component(
  'StepAnswer',
  documents<C.StepAnswer>()(
    object(
      { workOrderId: str, stepId: str, status: oneOf('completed', 'blocked'), receiptId: str },
      { exception: ExceptionRef.ref },
    ),
  ),
);

export const StatusAnswer = component(
  'StatusAnswer',
  documents<C.StatusAnswer>()(object({ id: str, status: workOrderStatus }, { receiptId: str, evidenceMissing: bool })),
);

export const ArtifactAnswer = component(
  'ArtifactAnswer',
  documents<C.ArtifactAnswer>()(
    object({
      workOrderId: str,
      stageId: str,
      receiptId: str,
      gate: object({
        approvalId: str,
        kind: str,
        owner: str,
        status: approvalStatus,
        openConditions: strings,
        action: scope,
      }),
    }),
  ),
);

export const ScopeChangeAnswer = component(
  'ScopeChangeAnswer',
  documents<C.ScopeChangeAnswer>()(
    object({ scopeChangeId: str, workOrderId: str, receiptId: str, add: array(scope), tracks }),
  ),
);

export const DelegationAnswer = component(
  'DelegationAnswer',
  documents<C.DelegationAnswer>()(
    object({ dispatchId: str, dispatchCreatedAt: time, reminders: array(time), timeoutAt: time }),
  ),
);

export const IngestAnswer = component(
  'IngestAnswer',
  object(
    {
      accepted: int,
      results: array(
        object({
          id: str,
          ok: constant(true),
          answer: { description: 'what the command answers, as over its route' },
        }),
      ),
    },
    {},
    'every event committed, in order',
  ),
);
