import { idOfStream, PostReviewEvents, ViewQuery, ViewRow, WorkOrderEvents } from '@workgate/contracts';
import { formatDuration } from '@workgate/workflow';
import { clamp, window } from './query-filters';
import { Handles } from './view-event';
import { View } from './view-projection';
import { iso, Queryable, ViewTable } from './view-table';
import { WorkOrderLookup, WorkOrderRow } from './work-orders.projection';

export interface PostReviewRow {
  postReviewId: string;
  workOrderId: string;
  exceptionId: string;
  jobType: string;
  version: number;
  owner: string;
  createdAt: string;
  dueAt: string;
  completedAt: string | null;
}

const handles = {
  [WorkOrderEvents.BreakGlassUsed]: 'workorder',
  [PostReviewEvents.Created]: 'postreview',
  [PostReviewEvents.Completed]: 'postreview',
} as const satisfies Handles;

/** The post-review a break-glass owes: who reviews it and by when, with its work order's job type and version. */
const opened = (
  wo: WorkOrderRow | undefined,
  postReviewId: string,
  of: { exceptionId: string; owner: string; createdAt: string; dueAt: string },
): PostReviewRow | null =>
  wo
    ? {
        postReviewId,
        workOrderId: wo.id,
        exceptionId: of.exceptionId,
        jobType: wo.jobType,
        version: wo.version,
        owner: of.owner,
        createdAt: of.createdAt,
        dueAt: of.dueAt,
        completedAt: null,
      }
    : null;

/** `view_post_reviews`: the post-review every break-glass owes, and when it was completed. */
export const postReviewsView: View<PostReviewRow, typeof handles, WorkOrderLookup> = {
  table: new ViewTable<PostReviewRow>('view_post_reviews', 'post_review_id', [
    ['post_review_id', 'uuid', 'postReviewId'],
    ['work_order_id', 'uuid', 'workOrderId'],
    ['exception_id', 'uuid', 'exceptionId'],
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['owner', 'text', 'owner'],
    ['created_at', 'timestamptz', 'createdAt'],
    ['due_at', 'timestamptz', 'dueAt'],
    ['completed_at', 'timestamptz', 'completedAt'],
  ]),
  handles,
  read: { by: 'id' },
  key: (row) => row.postReviewId,
  ids: (e) => (e.type === WorkOrderEvents.BreakGlassUsed ? [e.data.postReviewId] : [idOfStream(e.streamId)]),
  evolve: (row, e, id, ctx) => {
    switch (e.type) {
      case WorkOrderEvents.BreakGlassUsed: {
        const { exceptionId, reviewer, postReviewDueAt } = e.data;
        const of = { exceptionId, owner: reviewer, createdAt: e.occurredAt, dueAt: postReviewDueAt };
        return row ?? opened(ctx.workOrder(idOfStream(e.streamId)), id, of);
      }
      case PostReviewEvents.Created: {
        // Usually already opened by its BreakGlassUsed; this covers a post-review from elsewhere.
        const { workOrderId, exceptionId, reviewer, dueAt } = e.data;
        return (
          row ??
          opened(ctx.workOrder(workOrderId), id, { exceptionId, owner: reviewer, createdAt: e.occurredAt, dueAt })
        );
      }
      case PostReviewEvents.Completed:
        return row && !row.completedAt ? { ...row, completedAt: e.occurredAt } : row;
      default: {
        const unhandled: never = e;
        return unhandled;
      }
    }
  },
};

/**
 * post-reviews: the post-reviews open at asOf (created by then, not completed by then), by owner, then
 * due time; `overdue` keeps those past due; each with its work order's reference and its exception's
 * code and status at asOf.
 */
export async function postReviews(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const w = window(q, asOf, 'created_at').add('owner = ?', q.owner);
  const at = w.param(asOf);
  w.also(`(completed_at IS NULL OR completed_at > ${at})`);
  if (q.overdue) w.also(`due_at < ${at}`);
  if (q.after) {
    const [owner, dueAt, id] = [w.param(q.after.owner), w.param(q.after.dueAt), w.param(q.after.postReviewId)];
    w.also(`(owner, due_at, post_review_id) > (${owner}, ${dueAt}::timestamptz, ${id}::uuid)`);
  }
  const { rows } = await db.query<{
    post_review_id: string;
    work_order_id: string;
    exception_id: string;
    job_type: string;
    owner: string;
    created_at: Date;
    due_at: Date;
    source: string | null;
    external_ref: string | null;
    exception_code: string | null;
    exception_status: string | null;
  }>(
    `SELECT post_review_id, work_order_id, exception_id, job_type, version, owner, created_at, due_at,
            (SELECT wo.source FROM view_work_orders wo WHERE wo.id = view_post_reviews.work_order_id) AS source,
            (SELECT wo.external_ref FROM view_work_orders wo WHERE wo.id = view_post_reviews.work_order_id) AS external_ref,
            (SELECT e.code FROM view_exceptions e WHERE e.exception_id = view_post_reviews.exception_id) AS exception_code,
            (SELECT CASE WHEN e.resolved_at <= ${at} THEN 'resolved' ELSE 'open' END
               FROM view_exceptions e WHERE e.exception_id = view_post_reviews.exception_id) AS exception_status
       FROM view_post_reviews ${w.sql}
      ORDER BY owner, due_at, post_review_id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  const now = Date.parse(asOf);
  return rows.map((r) => {
    const late = now - r.due_at.getTime();
    return {
      postReviewId: r.post_review_id,
      workOrderId: r.work_order_id,
      exceptionId: r.exception_id,
      jobType: r.job_type,
      owner: r.owner,
      createdAt: iso(r.created_at),
      dueAt: iso(r.due_at),
      overdue: late > 0,
      overdueBy: late > 0 ? formatDuration(late) : null,
      overdueSeconds: late > 0 ? Math.floor(late / 1000) : 0,
      source: r.source ?? null,
      externalRef: r.external_ref ?? null,
      exceptionCode: r.exception_code ?? null,
      exceptionStatus: r.exception_status ?? null,
    };
  });
}
