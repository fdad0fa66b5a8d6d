/** Every NATS subject, stream and queue group workgate uses, declared once, with its message types. */
import {
  AddRemediationRequest,
  ApprovalIdRequest,
  ApprovalQueueRequest,
  ApprovalQueueRow,
  ApprovalView,
  CloseConditionRequest,
  CloseRemediationRequest,
  CompletePostReviewRequest,
  ConfirmDelegationRequest,
  DecideApprovalRequest,
  DefineCodeRequest,
  DelegationView,
  DispatchIdRequest,
  ExceptionIdRequest,
  ExceptionView,
  InboxMessage,
  InboxRequest,
  PostReviewIdRequest,
  PostReviewView,
  ResolveExceptionRequest,
  WithdrawApprovalRequest,
} from './approvals';
import { IngestOutcome, IngestRequest, RejectionsPage, RejectionsRequest } from './cloud-events';
import { ExceptionCode } from './exception.events';
import {
  AppendRequest,
  AppendResult,
  CommitRequest,
  CommitResult,
  DueTimer,
  DueTimersRequest,
  GetEventRequest,
  HealthReply,
  LedgerHead,
  QueryEventsRequest,
  ReadAllRequest,
  ReadAllResult,
  ReadStreamRequest,
  ReadStreamResult,
  RecordedEvent,
  SignedCheckpoint,
  LedgerKey,
  InclusionProof,
  ProveRequest,
  ConsistencyRequest,
  ConsistencyProof,
  VerifyCheckpointRequest,
  VerifyResult,
  WorkOrderListItem,
  WorkOrderListQuery,
  ExceptionListItem,
  ExceptionListQuery,
} from './ledger';
import {
  GetWorkflowRequest,
  PublishWorkflowRequest,
  SimulateRequest,
  SimulateResult,
  WorkflowSummary,
  WorkflowVersion,
} from './policy';
import { InclusionProofs, ProofRequest, ProveAllRequest, WorkOrderProof } from './proof-package';
import {
  ChangeApplied,
  ChangeIdRequest,
  ChangeRef,
  DiffRequest,
  DraftIdRequest,
  JobTypeRequest,
  OpenChangeApprovalRequest,
  ProposeDraftRequest,
  PublishOutcome,
  SaveDraftRequest,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSummary,
} from './workflow-change';
import { PATTERN_SUBJECTS } from './pattern-subjects';
import type { OpenPatternChangeApprovalRequest, PatternChangeApplied } from './patterns';
import { BatchReply, BatchRequest, Empty, rpc, Written } from './rpc';
import { StartedStreams, StartStreamsRequest } from './stream-starts';
import {
  CompareQuery,
  CompareRow,
  LiveMapQuery,
  LiveMapViewRows,
  ViewCounts,
  ViewQuery,
  ViewRow,
  ViewsPosition,
} from './views';
import {
  CreatedWebhook,
  CreateWebhookRequest,
  DeliveryIdRequest,
  WebhookDelivery,
  WebhookIdRequest,
  WebhookView,
} from './webhooks';
import {
  DecisionRecord,
  DeliveryPage,
  GetWorkOrderRequest,
  Receipt,
  ReceiptRequest,
  WorkOrderHandoff,
  WorkOrderIdRequest,
} from './work-order-reads';
import { CommandReply, OutcomeCommitRequest, WorkOrderAnswer, WorkOrderCommandRequest } from './work-orders';

export const SERVICES = ['gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Request/reply subjects: `workgate.<service>.<verb>`; every service listens in a queue group named after itself. */
export const Subjects = {
  health: (service: ServiceName) => rpc<Empty, HealthReply>(`workgate.${service}.health`),
  ledger: {
    append: rpc<AppendRequest, AppendResult>('workgate.ledger.append'),
    /** Many commits, one round trip: each commit is a command's events for every stream it touches. */
    appendBatch: rpc<BatchRequest<CommitRequest>, BatchReply<CommitResult>>('workgate.ledger.append-batch'),
    readStream: rpc<ReadStreamRequest, ReadStreamResult>('workgate.ledger.read-stream'),
    /** Many stream reads, one round trip and one query: each item is a read-stream request. */
    readStreamBatch: rpc<BatchRequest<ReadStreamRequest>, BatchReply<ReadStreamResult>>(
      'workgate.ledger.read-stream-batch',
    ),
    readAll: rpc<ReadAllRequest, ReadAllResult>('workgate.ledger.read-all'),
    verify: rpc<Empty, VerifyResult>('workgate.ledger.verify'),
    /** A signed checkpoint of the head. */
    checkpoint: rpc<Empty, SignedCheckpoint>('workgate.ledger.checkpoint'),
    /** The signed-note verifier key. */
    key: rpc<Empty, LedgerKey>('workgate.ledger.key'),
    /** An inclusion proof of the event at a position, against a signed checkpoint that covers it. */
    prove: rpc<ProveRequest, InclusionProof>('workgate.ledger.prove'),
    /** Inclusion proofs of several events, all against one signed checkpoint that covers them. */
    proveAll: rpc<ProveAllRequest, InclusionProofs>('workgate.ledger.prove-all'),
    /** A consistency proof between two tree sizes. */
    consistency: rpc<ConsistencyRequest, ConsistencyProof>('workgate.ledger.consistency'),
    /** Verifies the chain and that a kept checkpoint still holds (catches a truncated or rewritten tail). */
    verifyCheckpoint: rpc<VerifyCheckpointRequest, VerifyResult>('workgate.ledger.verify-checkpoint'),
    head: rpc<Empty, LedgerHead>('workgate.ledger.head'),
    query: rpc<QueryEventsRequest, ReadAllResult>('workgate.ledger.query'),
    getEvent: rpc<GetEventRequest, RecordedEvent>('workgate.ledger.get-event'),
    listWorkOrders: rpc<WorkOrderListQuery, WorkOrderListItem[]>('workgate.ledger.list-work-orders'),
    /** Timers due at `now`. */
    dueTimers: rpc<DueTimersRequest, DueTimer[]>('workgate.ledger.due-timers'),
    /** The approval queue, oldest first, with age. */
    listApprovals: rpc<ApprovalQueueRequest, ApprovalQueueRow[]>('workgate.ledger.list-approvals'),
    /** Exceptions by owner, the soonest due first (default: the open ones). */
    listExceptions: rpc<ExceptionListQuery, ExceptionListItem[]>('workgate.ledger.list-exceptions'),
    /** A recipient's inbox: the delegations dispatched to it, oldest first. */
    inbox: rpc<InboxRequest, InboxMessage[]>('workgate.ledger.inbox'),
    /** One evidence view's rows (docs/views.md, The views). */
    view: rpc<ViewQuery, ViewRow[]>('workgate.ledger.view'),
    /** The live workflow map's five views for one job type and window, at once (the rows `view` answers for each). */
    liveMap: rpc<LiveMapQuery, LiveMapViewRows>('workgate.ledger.live-map'),
    /** Departments or job types side by side (docs/views.md, Departments and comparisons). */
    compare: rpc<CompareQuery, CompareRow[]>('workgate.ledger.compare'),
    /** How far the views have folded the ledger: what a read that must see a write waits for. */
    viewsPosition: rpc<Empty, ViewsPosition>('workgate.ledger.views-position'),
    /** The views' counts the gateway's metrics show: approvals pending, post-reviews overdue, dead letters. */
    viewCounts: rpc<Empty, ViewCounts>('workgate.ledger.view-counts'),
  },
  intake: {
    /** Runs a work-order command; answers after the ledger commit, with its position. */
    command: rpc<WorkOrderCommandRequest, CommandReply>('workgate.intake.command'),
    /** Commits an approval's or an exception's decided events with their outcome on its work order (the approvals and exceptions services' only); answers the commit's position. */
    commitWithOutcome: rpc<OutcomeCommitRequest, Pick<CommitResult, 'position'>>('workgate.intake.commit-with-outcome'),
    get: rpc<GetWorkOrderRequest, WorkOrderHandoff>('workgate.intake.get'),
    events: rpc<WorkOrderIdRequest, RecordedEvent[]>('workgate.intake.events'),
    delivery: rpc<WorkOrderIdRequest, DeliveryPage>('workgate.intake.delivery'),
    decisions: rpc<WorkOrderIdRequest, DecisionRecord[]>('workgate.intake.decisions'),
    receipt: rpc<ReceiptRequest, Receipt>('workgate.intake.receipt'),
    /** A work order's proof package but for the delivery page's HTML; client-safe unless private evidence is asked for. */
    proof: rpc<ProofRequest, WorkOrderProof>('workgate.intake.proof'),
    ingest: rpc<IngestRequest, Written<IngestOutcome[]>>('workgate.intake.ingest'),
    rejections: rpc<RejectionsRequest, RejectionsPage>('workgate.intake.rejections'),
  },
  policy: {
    publish: rpc<PublishWorkflowRequest, Written<PublishOutcome>>('workgate.policy.publish'),
    get: rpc<GetWorkflowRequest, WorkflowVersion>('workgate.policy.get'),
    list: rpc<Empty, WorkflowSummary[]>('workgate.policy.list'),
    simulate: rpc<SimulateRequest, SimulateResult>('workgate.policy.simulate'),
    /** A new draft (no `draftId`) or a draft's new revision: kept whatever its problems. */
    saveDraft: rpc<SaveDraftRequest, Written<WorkflowDraft>>('workgate.policy.save-draft'),
    getDraft: rpc<DraftIdRequest, WorkflowDraft>('workgate.policy.get-draft'),
    listDrafts: rpc<JobTypeRequest, WorkflowDraftSummary[]>('workgate.policy.list-drafts'),
    diff: rpc<DiffRequest, WorkflowDiff>('workgate.policy.diff'),
    proposeDraft: rpc<ProposeDraftRequest, Written<PublishOutcome>>('workgate.policy.propose-draft'),
    /**
     * A workflow-change approval was decided, withdrawn or expired: publish or close its change (read
     * from the approval's stream). The policy service's own reaction to the decision does it too; the
     * gateway asks it at once so a decision's answer covers the change's commit.
     */
    applyChange: rpc<ApprovalIdRequest, Written<ChangeApplied | PatternChangeApplied>>('workgate.policy.apply-change'),
    /** A change of a job type by its id, with its approval (`not_found` when the job type never had it). */
    change: rpc<ChangeIdRequest, ChangeRef>('workgate.policy.change'),
    ...PATTERN_SUBJECTS,
  },
  exceptions: {
    listCodes: rpc<Empty, ExceptionCode[]>('workgate.exceptions.list-codes'),
    defineCode: rpc<DefineCodeRequest, Written<ExceptionCode>>('workgate.exceptions.define-code'),
    get: rpc<ExceptionIdRequest, ExceptionView>('workgate.exceptions.get'),
    resolve: rpc<ResolveExceptionRequest, Written<ExceptionView>>('workgate.exceptions.resolve'),
    addRemediation: rpc<AddRemediationRequest, Written<ExceptionView>>('workgate.exceptions.add-remediation'),
    closeRemediation: rpc<CloseRemediationRequest, Written<ExceptionView>>('workgate.exceptions.close-remediation'),
    /** Starts the exceptions committed work-order events raise (intake's, once committed; idempotent). */
    start: rpc<StartStreamsRequest, StartedStreams>('workgate.exceptions.start'),
  },
  approvals: {
    decide: rpc<DecideApprovalRequest, Written<ApprovalView>>('workgate.approvals.decide'),
    closeCondition: rpc<CloseConditionRequest, Written<ApprovalView>>('workgate.approvals.close-condition'),
    /** Opens the approval of a workflow change the policy service recorded (the policy service's; idempotent). */
    openChange: rpc<OpenChangeApprovalRequest | OpenPatternChangeApprovalRequest, Written<ApprovalView>>(
      'workgate.approvals.open-change',
    ),
    /** Starts the approvals, post-reviews and delegations committed work-order events ask for (intake's, once committed; idempotent). */
    start: rpc<StartStreamsRequest, StartedStreams>('workgate.approvals.start'),
    /** Takes back a workflow-change approval nobody decided yet (its requester, or an admin). */
    withdraw: rpc<WithdrawApprovalRequest, Written<ApprovalView>>('workgate.approvals.withdraw'),
    get: rpc<ApprovalIdRequest, ApprovalView>('workgate.approvals.get'),
    getPostReview: rpc<PostReviewIdRequest, PostReviewView>('workgate.approvals.get-post-review'),
    completePostReview: rpc<CompletePostReviewRequest, Written<PostReviewView>>(
      'workgate.approvals.complete-post-review',
    ),
    confirmDelegation: rpc<ConfirmDelegationRequest, Written<DelegationView>>('workgate.approvals.confirm-delegation'),
    getDelegation: rpc<DispatchIdRequest, DelegationView>('workgate.approvals.get-delegation'),
    createWebhook: rpc<CreateWebhookRequest, CreatedWebhook>('workgate.approvals.create-webhook'),
    listWebhooks: rpc<Empty, WebhookView[]>('workgate.approvals.list-webhooks'),
    getWebhook: rpc<WebhookIdRequest, WebhookView>('workgate.approvals.get-webhook'),
    deleteWebhook: rpc<WebhookIdRequest, WebhookView>('workgate.approvals.delete-webhook'),
    /** A webhook's deliveries, newest first, with their attempts. */
    listDeliveries: rpc<WebhookIdRequest, WebhookDelivery[]>('workgate.approvals.list-deliveries'),
    /** Sends a delivery again now, a dead one included. */
    retryDelivery: rpc<DeliveryIdRequest, WebhookDelivery>('workgate.approvals.retry-delivery'),
  },
} as const;

/**
 * A work-order command from a caller in intake's own process that may act on the answer as soon as
 * it is decided, before its commit: `decided` is told each answer the command is decided to (a
 * command decided again after a version conflict is told again), and the reply still comes after
 * the commit, as on `Subjects.intake.command`. What acts early must change nothing and must not
 * hand anything on until that reply: the commit may still fail.
 */
export interface DecidedCommandRequest {
  request: WorkOrderCommandRequest;
  decided: (answer: WorkOrderAnswer) => void;
}

/**
 * Intake's routes served only inside its process (LocalRoutes), never subscribed on NATS: a
 * callback cannot travel, and nothing from outside reaches them. Another thread of the process is
 * offered them with the callback left behind: each call of it crosses as a message of its own,
 * before the reply (thread-routes.ts).
 */
export const IntakeInProcess = {
  commandDecided: rpc<DecidedCommandRequest, CommandReply>('workgate.intake.command-decided'),
  /**
   * A work order's state handoff as `Subjects.intake.get` answers it, as its JSON text: serialized
   * once per state where intake keeps it, it crosses to the gateway's thread as one string rather
   * than an object to copy and serialize again on every read.
   */
  handoffText: rpc<GetWorkOrderRequest, string>('workgate.intake.handoff-text'),
} as const;

/** JetStream streams. Every one refuses deletes and purges. */
export const Streams = {
  workEvents: { name: 'WORK_EVENTS', subjects: ['workgate.events.>'] },
  ledger: { name: 'LEDGER', subjects: ['ledger.>'] },
  /** Delegates' inboxes: durable, for visibility and delivery (not evidence: the ledger is). */
  inbox: { name: 'INBOX', subjects: ['workgate.inbox.>'] },
  /** Every checkpoint the ledger signs (a C2SP signed note): copies of them outside the database. */
  checkpoints: { name: 'CHECKPOINTS', subjects: ['workgate.checkpoints'] },
} as const;

/** Headers the ledger relay sets on every message it publishes to `LEDGER`. */
export const LedgerHeaders = {
  position: 'Workgate-Position',
  streamId: 'Workgate-Stream-Id',
  streamVersion: 'Workgate-Stream-Version',
} as const;

/** A principal or recipient as one subject token (no dots, spaces or wildcards). */
const principalToken = (id: string) => id.replace(/[.\s*>]/g, '_');

/** Notifications for a principal (JSON `Notification`). */
export const notifySubject = (principal: string) => `workgate.notify.${principalToken(principal)}`;

/** A recipient's inbox in the `INBOX` stream (JSON `InboxMessage`). */
export const inboxSubject = (recipient: string) => `workgate.inbox.${principalToken(recipient)}`;

/** Refused work events are republished here (JSON `IntakeRejectedData`). */
export const rejectedSubject = (sourceToken: string) => `workgate.rejected.${sourceToken}`;
