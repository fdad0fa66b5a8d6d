import { LedgerEvents1763800000000 } from './1763800000000-ledger-events';
import { LedgerTypeIndex1763800000001 } from './1763800000001-ledger-type-index';
import { WorkOrdersView1763800000002 } from './1763800000002-work-orders-view';
import { RareTypeIndex1763800000003 } from './1763800000003-rare-type-index';
import { TimersView1763800000004 } from './1763800000004-timers-view';
import { ApprovalsView1763800000005 } from './1763800000005-approvals-view';
import { ExceptionTypeIndex1763800000006 } from './1763800000006-exception-type-index';
import { EvidenceViews1763800000007 } from './1763800000007-evidence-views';
import { LedgerJson1763800000008 } from './1763800000008-ledger-json';
import { IdempotencyAnswers1763800000009 } from './1763800000009-idempotency-answers';
import { InboxView1763800000010 } from './1763800000010-inbox-view';
import { ParkedEvents1763800000011 } from './1763800000011-parked-events';
import { LedgerTree1763800000012 } from './1763800000012-ledger-tree';
import { ServiceRoles1763800000013 } from './1763800000013-service-roles';
import { Webhooks1763800000014 } from './1763800000014-webhooks';
import { CommitSignatures1763800000015 } from './1763800000015-commit-signatures';
import { IdempotencyReservations1763800000016 } from './1763800000016-idempotency-reservations';
import { WorkflowMapViews1763800000017 } from './1763800000017-workflow-map-views';
import { ExceptionEscalation1763800000018 } from './1763800000018-exception-escalation';
import { WorkflowChanges1763800000019 } from './1763800000019-workflow-changes';
import { MapCounts1763800000020 } from './1763800000020-map-counts';
import { LedgerTiles1763800000021 } from './1763800000021-ledger-tiles';
import { MapCoveringIndexes1763800000022 } from './1763800000022-map-covering-indexes';
import { ToolCallArguments1763800000030 } from './1763800000030-tool-call-arguments';
import { ConsoleSessions1763800000031 } from './1763800000031-console-sessions';
import { WorkflowDepartments1763800000032 } from './1763800000032-workflow-departments';
import { ClosureCounts1763800000033 } from './1763800000033-closure-counts';
import { ClosureBuckets1763800000034 } from './1763800000034-closure-buckets';

/** Every migration, in order. Schema changes only ever go through these. */
export const MIGRATIONS = [
  LedgerEvents1763800000000,
  LedgerTypeIndex1763800000001,
  WorkOrdersView1763800000002,
  RareTypeIndex1763800000003,
  TimersView1763800000004,
  ApprovalsView1763800000005,
  ExceptionTypeIndex1763800000006,
  EvidenceViews1763800000007,
  LedgerJson1763800000008,
  IdempotencyAnswers1763800000009,
  InboxView1763800000010,
  ParkedEvents1763800000011,
  LedgerTree1763800000012,
  ServiceRoles1763800000013,
  Webhooks1763800000014,
  CommitSignatures1763800000015,
  IdempotencyReservations1763800000016,
  WorkflowMapViews1763800000017,
  ExceptionEscalation1763800000018,
  WorkflowChanges1763800000019,
  MapCounts1763800000020,
  LedgerTiles1763800000021,
  MapCoveringIndexes1763800000022,
  ToolCallArguments1763800000030,
  ConsoleSessions1763800000031,
  WorkflowDepartments1763800000032,
  ClosureCounts1763800000033,
  ClosureBuckets1763800000034,
];

/** Event types with an index of their own (must match the partial index of the latest type-index migration). */
export const INDEXED_TYPES: ReadonlySet<string> = new Set([
  'WorkflowPublished',
  'IntakeRejected',
  'ExceptionRaised',
  'WorkflowDraftSaved',
  'WorkflowChangeProposed',
  'WorkflowChangeClosed',
]);
