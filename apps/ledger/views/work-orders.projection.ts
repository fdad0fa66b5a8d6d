import { PoolClient } from 'pg';
import {
  RecordedEvent,
  WorkOrderClosureReportedData,
  WorkOrderEvents,
  WorkOrderOpenedData,
} from '@workgate/contracts';
import { Projection } from '@workgate/event-store';

/** `view_work_orders`: one row per work order, for listing and finding by source + externalRef. */
export const workOrdersProjection: Projection = {
  name: 'work-orders',
  types: [WorkOrderEvents.Opened, WorkOrderEvents.StepBlocked, WorkOrderEvents.Closed, WorkOrderEvents.ClosureReported, WorkOrderEvents.Reopened],
  async apply(client: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const e of events) {
      const id = e.streamId.slice('workorder-'.length);
      switch (e.type) {
        case WorkOrderEvents.Opened: {
          const d = e.data as unknown as WorkOrderOpenedData;
          await client.query(
            `INSERT INTO view_work_orders (id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, open_exceptions, last_position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
            [id, d.source, d.externalRef, d.policy.jobType, d.policy.version, d.owner, d.status, e.occurredAt, d.exceptions.length, e.position],
          );
          break;
        }
        case WorkOrderEvents.StepBlocked:
          await client.query(
            `UPDATE view_work_orders SET open_exceptions = open_exceptions + 1, status = CASE WHEN status = 'closed' THEN status ELSE 'blocked' END,
               updated_at = $2, last_position = $3 WHERE id = $1`,
            [id, e.occurredAt, e.position],
          );
          break;
        case WorkOrderEvents.Closed:
        case WorkOrderEvents.ClosureReported: {
          const missing = e.type === WorkOrderEvents.ClosureReported && (e.data as unknown as WorkOrderClosureReportedData).evidenceMissing;
          await client.query(
            `UPDATE view_work_orders SET status = 'closed', closed_at = $2, updated_at = $2, evidence_missing = $3, last_position = $4 WHERE id = $1`,
            [id, e.occurredAt, missing, e.position],
          );
          break;
        }
        case WorkOrderEvents.Reopened:
          await client.query(
            `UPDATE view_work_orders SET status = CASE WHEN open_exceptions > 0 THEN 'blocked' ELSE 'open' END, closed_at = NULL,
               evidence_missing = false, reopened = reopened + 1, updated_at = $2, last_position = $3 WHERE id = $1`,
            [id, e.occurredAt, e.position],
          );
          break;
      }
    }
  },
};

export interface WorkOrderListQuery {
  source?: string;
  externalRef?: string;
  jobType?: string;
  status?: string;
  limit?: number;
}

/** Newest first. */
export async function listWorkOrders(client: { query: PoolClient['query'] }, q: WorkOrderListQuery) {
  const { rows } = await client.query(
    `SELECT id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, closed_at, evidence_missing, reopened
       FROM view_work_orders
      WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR external_ref = $2)
        AND ($3::text IS NULL OR job_type = $3) AND ($4::text IS NULL OR status = $4)
      ORDER BY opened_at DESC, id LIMIT $5`,
    [q.source ?? null, q.externalRef ?? null, q.jobType ?? null, q.status ?? null, Math.min(Math.max(q.limit ?? 100, 1), 1000)],
  );
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    externalRef: r.external_ref,
    jobType: r.job_type,
    version: r.version,
    owner: r.owner,
    status: r.status,
    openedAt: (r.opened_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
    closedAt: r.closed_at ? (r.closed_at as Date).toISOString() : null,
    evidenceMissing: r.evidence_missing,
    reopened: r.reopened,
  }));
}
