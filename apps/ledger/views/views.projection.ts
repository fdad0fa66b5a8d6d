import { RecordedEvent } from '@workgate/contracts';
import { ApprovalRow, approvalsView } from './approvals.projection';
import { decisionCounts, DecisionCountsRow, DecisionLookup, DecisionRow, decisionsView } from './decisions.projection';
import { ExceptionRow, exceptionsView } from './exceptions.projection';
import { InboxRow, inboxView } from './inbox.projection';
import { PostReviewRow, postReviewsView } from './post-reviews.projection';
import { closureBuckets, ClosureBucketRow, closureCounts, ClosureCountsRow } from './closure-counts.projection';
import { CountRows } from './day-counts';
import { stepCounts, StepCountsRow } from './step-counts.projection';
import { StepsRow, stepsView } from './steps.projection';
import { foldEvents, PageRows, projectionOf, ViewRows } from './view-projection';
import { WorkOrderLookup, WorkOrderRow, workOrdersView } from './work-orders.projection';
import { WorkflowLookup, workflowKey, WorkflowRow, workflowsView } from './workflows.projection';

/** The rows of every view for one page, and what they read of each other (a work order, a workflow version). */
function pageRows() {
  const workflows = new ViewRows(workflowsView);
  const workOrders = new ViewRows(workOrdersView);
  const exceptions = new ViewRows(exceptionsView);
  const postReviews = new ViewRows(postReviewsView);
  const approvals = new ViewRows(approvalsView);
  const inbox = new ViewRows(inboxView);
  const steps = new ViewRows(stepsView);
  const decisions = new ViewRows(decisionsView);
  type Ctx = WorkOrderLookup & WorkflowLookup & DecisionLookup;
  const counts = {
    steps: new CountRows<StepsRow, StepCountsRow, Ctx>(steps, stepCounts),
    decisions: new CountRows<DecisionRow, DecisionCountsRow, Ctx>(decisions, decisionCounts),
    closures: new CountRows<WorkOrderRow, ClosureCountsRow, Ctx>(workOrders, closureCounts),
    closureBuckets: new CountRows<WorkOrderRow, ClosureBucketRow, Ctx>(workOrders, closureBuckets),
  };
  const ctx: Ctx = {
    workOrder: (id) => workOrders.get(id),
    workflow: (jobType, version) => workflows.get(workflowKey(jobType, version)),
    decision: (actionId) => decisions.get(actionId),
  };
  // In this order: a work order reads its workflow version, the others read their work order (as
  // this event left it), an approval the decision of the action it holds; the counts add what
  // the page changed of the steps, decisions and work orders rows (read after them).
  const all: Array<PageRows<Ctx>> = [
    workflows,
    workOrders,
    exceptions,
    postReviews,
    decisions,
    approvals,
    inbox,
    steps,
    counts.steps,
    counts.decisions,
    counts.closures,
    counts.closureBuckets,
  ];
  return { workflows, workOrders, exceptions, postReviews, approvals, inbox, steps, decisions, counts, all, ctx };
}

/** Every table the views projection writes (a rebuild makes fresh copies of exactly these). */
export const VIEW_TABLES = [
  workOrdersView,
  exceptionsView,
  postReviewsView,
  approvalsView,
  workflowsView,
  inboxView,
  stepsView,
  decisionsView,
  stepCounts,
  decisionCounts,
  closureCounts,
  closureBuckets,
].map((v) => v.table.name);

/**
 * `views`: the evidence views (docs/views.md, The views), all from one checkpoint so they agree with each
 * other. A page costs a handful of statements whatever its size: read the rows it refers to,
 * evolve them event by event in memory, write back what changed, table by table.
 */
export const viewsProjection = projectionOf('views', pageRows, VIEW_TABLES);

/** The views' rows as these events alone make them (nothing read or written): the fold, pure. */
export function foldViews(events: RecordedEvent[]): {
  workOrders: Map<string, WorkOrderRow | null>;
  exceptions: Map<string, ExceptionRow | null>;
  postReviews: Map<string, PostReviewRow | null>;
  approvals: Map<string, ApprovalRow | null>;
  workflows: Map<string, WorkflowRow | null>;
  inbox: Map<string, InboxRow | null>;
  steps: Map<string, StepsRow | null>;
  decisions: Map<string, DecisionRow | null>;
  stepCounts: Map<string, StepCountsRow>;
  decisionCounts: Map<string, DecisionCountsRow>;
  closureCounts: Map<string, ClosureCountsRow>;
  closureBuckets: Map<string, ClosureBucketRow>;
} {
  const page = pageRows();
  foldEvents(events, page.all, page.ctx);
  return {
    workOrders: page.workOrders.rows,
    exceptions: page.exceptions.rows,
    postReviews: page.postReviews.rows,
    approvals: page.approvals.rows,
    workflows: page.workflows.rows,
    inbox: page.inbox.rows,
    steps: page.steps.rows,
    decisions: page.decisions.rows,
    stepCounts: page.counts.steps.changes(),
    decisionCounts: page.counts.decisions.changes(),
    closureCounts: page.counts.closures.changes(),
    closureBuckets: page.counts.closureBuckets.changes(),
  };
}
