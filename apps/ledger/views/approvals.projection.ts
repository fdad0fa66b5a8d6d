import { PoolClient } from 'pg';
import { ApprovalEvents, RecordedEvent } from '@workgate/contracts';
import { Projection } from '@workgate/event-store';

const STATUS: Record<string, string> = {
  [ApprovalEvents.Requested]: 'requested',
  [ApprovalEvents.Granted]: 'approved',
  [ApprovalEvents.Conditioned]: 'conditional',
  [ApprovalEvents.Rejected]: 'rejected',
  [ApprovalEvents.Expired]: 'expired',
};

/** `view_approvals`: the approval queue (who must decide what, since when). */
export const approvalsProjection: Projection = {
  name: 'approvals',
  types: Object.keys(STATUS),
  async apply(client: PoolClient, events: RecordedEvent[]): Promise<void> {
    for (const e of events) {
      const id = e.streamId.slice('approval-'.length);
      const d = e.data as Record<string, string>;
      if (e.type === ApprovalEvents.Requested) {
        await client.query(
          `INSERT INTO view_approvals (approval_id, work_order_id, action_id, owner, requested_by, status, requested_at, expires_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $6) ON CONFLICT (approval_id) DO NOTHING`,
          [id, d.workOrderId, d.actionId, d.owner, d.requestedBy, d.requestedAt, d.expiresAt],
        );
      } else {
        await client.query(`UPDATE view_approvals SET status = $2, decided_by = coalesce($3, decided_by), updated_at = $4 WHERE approval_id = $1`, [
          id,
          STATUS[e.type],
          d.decidedBy ?? null,
          e.occurredAt,
        ]);
      }
    }
  },
};

export async function listApprovals(client: { query: PoolClient['query'] }, q: { owner?: string; status?: string; limit?: number; now?: string }) {
  const now = q.now ?? new Date().toISOString();
  const { rows } = await client.query(
    `SELECT approval_id, work_order_id, action_id, owner, requested_by, status, requested_at, expires_at, decided_by
       FROM view_approvals WHERE ($1::text IS NULL OR owner = $1) AND ($2::text IS NULL OR status = $2)
      ORDER BY requested_at LIMIT $3`,
    [q.owner ?? null, q.status ?? null, Math.min(Math.max(q.limit ?? 100, 1), 1000)],
  );
  return rows.map((r) => ({
    approvalId: r.approval_id,
    workOrderId: r.work_order_id,
    actionId: r.action_id,
    owner: r.owner,
    requestedBy: r.requested_by,
    status: r.status,
    requestedAt: (r.requested_at as Date).toISOString(),
    expiresAt: (r.expires_at as Date).toISOString(),
    decidedBy: r.decided_by ?? undefined,
    ageSeconds: Math.max(0, Math.round((Date.parse(now) - (r.requested_at as Date).getTime()) / 1000)),
  }));
}
