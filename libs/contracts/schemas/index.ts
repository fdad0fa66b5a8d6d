import type { Component } from './json-schema';
import * as compare from './compare.schemas';
import * as ledger from './ledger.schemas';
import * as workflowMap from './map.schemas';
import * as monthlyReview from './monthly-review.schemas';
import * as patterns from './pattern.schemas';
import * as policy from './policy.schemas';
import * as proof from './proof.schemas';
import * as review from './review.schemas';
import { ExceptionRef } from './shapes';
import * as webhooks from './webhook.schemas';
import * as changes from './workflow-change.schemas';
import * as views from './work-order-views.schemas';
import * as answers from './work-order.schemas';

/**
 * The schema of every answer of the contracts (what the services answer over NATS and the
 * gateway over HTTP), by name: the one declaration both the OpenAPI and the AsyncAPI documents
 * are generated from. Each is checked at compile time against the contract's type it documents.
 */
export const REPLY_SCHEMAS: readonly Component[] = [
  ExceptionRef,
  answers.OpenedAnswer,
  answers.ActionAnswer,
  answers.BreakGlassAnswer,
  answers.StepAnswer,
  answers.StatusAnswer,
  answers.ArtifactAnswer,
  answers.ScopeChangeAnswer,
  answers.DelegationAnswer,
  ledger.WorkOrderListItem,
  views.WorkOrderHandoff,
  ledger.RecordedEvent,
  views.DeliveryPage,
  views.Receipt,
  ledger.InclusionProof,
  ledger.ConsistencyProof,
  review.ApprovalSubject,
  review.ApprovalView,
  review.ExceptionView,
  ledger.ExceptionListItem,
  views.DecisionRecord,
  review.PostReviewView,
  review.DelegationView,
  review.InboxMessage,
  views.RejectionsPage,
  answers.IngestAnswer,
  ledger.ReadAllResult,
  ledger.VerifyResult,
  ledger.SignedCheckpoint,
  policy.PublishWorkflowResult,
  policy.WorkflowSummary,
  policy.WorkflowVersion,
  patterns.PublishPatternResult,
  patterns.PatternSummary,
  patterns.PatternVersion,
  patterns.DerivedWorkflow,
  patterns.PatternChangeRef,
  patterns.PatternChangeRequested,
  patterns.PatternChangeApplied,
  workflowMap.MapNode,
  workflowMap.WorkflowMap,
  proof.ProofPackage,
  workflowMap.LiveWorkflowMap,
  monthlyReview.MonthlyReview,
  compare.CompareRow,
  policy.SimulateResult,
  policy.SimulatedVerdict,
  policy.SimulatedChange,
  changes.DefinitionChange,
  changes.WorkflowDiff,
  changes.WorkflowDraft,
  changes.WorkflowDraftSummary,
  changes.WorkflowChangeRef,
  changes.WorkflowChangeRequested,
  changes.ChangeApplied,
  changes.ChangeDeciders,
  policy.ExceptionCode,
  webhooks.WebhookView,
  webhooks.CreatedWebhook,
  webhooks.WebhookDelivery,
];

export { WORKFLOW_DEFINITION } from './policy.schemas';
export { PATTERN_DEFINITION } from './pattern.schemas';
export * as replyShapes from './shapes';
