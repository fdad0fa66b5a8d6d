import { ApprovalEvents, idOfStream, ViewQuery, ViewRow } from '@workgate/contracts';
import { formatDuration, gateNodeId } from '@workgate/workflow';
import { DecisionLookup } from './decisions.projection';
import { clamp, window } from './query-filters';
import { Handles } from './view-event';
import { View } from './view-projection';
import { iso, Queryable, ViewTable } from './view-table';
import { WorkOrderLookup } from './work-orders.projection';

export interface ApprovalRow {
  approvalId: string;
  /** Null for a `workflow-change` or `pattern-change` approval: it belongs to its job type or pattern. */
  workOrderId: string | null;
  actionId: string;
  /** A work order's or a workflow change's job type; a pattern change's pattern. */
  jobType: string;
  version: number;
  owner: string;
  requestedBy: string;
  status: string;
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  updatedAt: string;
  /** The workflow map's gate node: the wait rule that held the action, else `gate:<kind>`; null when unknown. */
  gate: string | null;
  /** When its work order was opened (the live map's window is on it). */
  openedAt: string;
  /** When it was first decided (approved, conditional, rejected or expired). */
  decidedAt: string | null;
}

const handles = {
  [ApprovalEvents.Requested]: 'approval',
  [ApprovalEvents.Granted]: 'approval',
  [ApprovalEvents.Conditioned]: 'approval',
  [ApprovalEvents.Rejected]: 'approval',
  [ApprovalEvents.Expired]: 'approval',
  [ApprovalEvents.Withdrawn]: 'approval',
} as const satisfies Handles;

/** The row once decided (recorded at `at`, decided at `when`; its first decision's time kept). */
const decided = (row: ApprovalRow, status: string, at: string, when: string, by?: string): ApprovalRow => ({
  ...row,
  status,
  decidedBy: by ?? row.decidedBy,
  updatedAt: at,
  decidedAt: row.decidedAt ?? when,
});

/** `view_approvals`: every approval requested, its owner and where it stands. */
export const approvalsView: View<ApprovalRow, typeof handles, WorkOrderLookup & DecisionLookup> = {
  table: new ViewTable<ApprovalRow>('view_approvals', 'approval_id', [
    ['approval_id', 'uuid', 'approvalId'],
    ['work_order_id', 'uuid', 'workOrderId'],
    ['action_id', 'uuid', 'actionId'],
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['owner', 'text', 'owner'],
    ['requested_by', 'text', 'requestedBy'],
    ['status', 'text', 'status'],
    ['requested_at', 'timestamptz', 'requestedAt'],
    ['expires_at', 'timestamptz', 'expiresAt'],
    ['decided_by', 'text', 'decidedBy'],
    ['updated_at', 'timestamptz', 'updatedAt'],
    ['gate', 'text', 'gate'],
    ['opened_at', 'timestamptz', 'openedAt'],
    ['decided_at', 'timestamptz', 'decidedAt'],
  ]),
  handles,
  read: { by: 'id' },
  key: (row) => row.approvalId,
  ids: (e) => [idOfStream(e.streamId)],
  evolve: (row, e, id, ctx) => {
    const at = e.occurredAt;
    switch (e.type) {
      case ApprovalEvents.Requested: {
        if (row) return row;
        const d = e.data;
        const wo = d.workOrderId ? ctx.workOrder(d.workOrderId) : undefined;
        const held = ctx.decision(d.actionId);
        return {
          approvalId: id,
          workOrderId: d.workOrderId ?? null,
          actionId: d.actionId,
          // A pattern change's row names the pattern and its proposed version.
          jobType: wo?.jobType ?? d.change?.jobType ?? d.patternChange?.name ?? '',
          version: wo?.version ?? d.change?.version ?? d.patternChange?.version ?? 0,
          owner: d.owner,
          requestedBy: d.requestedBy,
          status: 'requested',
          requestedAt: d.requestedAt,
          expiresAt: d.expiresAt,
          decidedBy: null,
          updatedAt: at,
          gate: held?.decision === 'wait' && held.rule ? held.rule : d.kind ? gateNodeId(d.kind) : null,
          openedAt: wo?.openedAt ?? d.requestedAt,
          decidedAt: null,
        };
      }
      case ApprovalEvents.Granted:
        return row && decided(row, 'approved', at, e.data.at, e.data.decidedBy);
      case ApprovalEvents.Conditioned:
        return row && decided(row, 'conditional', at, e.data.at, e.data.decidedBy);
      case ApprovalEvents.Rejected:
        return row && decided(row, 'rejected', at, e.data.at, e.data.decidedBy);
      case ApprovalEvents.Withdrawn:
        return row && decided(row, 'withdrawn', at, e.data.at, e.data.withdrawnBy);
      case ApprovalEvents.Expired:
        // It stopped waiting at its expiry, however late the timer fired.
        return (
          row &&
          decided(row, 'expired', at, Date.parse(row.expiresAt) < Date.parse(e.data.at) ? row.expiresAt : e.data.at)
        );
      default: {
        const unhandled: never = e;
        return unhandled;
      }
    }
  },
};

/** approvals: approvals requested in [from, to) by asOf, by owner, oldest first, with their age at asOf. */
export async function approvals(db: Queryable, q: ViewQuery, asOf: string): Promise<ViewRow[]> {
  const status = q.status ?? 'pending';
  const w = window(q, asOf, 'requested_at').add('owner = ?', q.owner);
  if (status === 'pending') w.also(`status IN ('requested', 'conditional')`);
  else if (status !== 'all') w.add('status = ?', status);
  const { rows } = await db.query<{
    approval_id: string;
    work_order_id: string | null;
    action_id: string;
    job_type: string;
    owner: string;
    requested_by: string;
    status: string;
    requested_at: Date;
    expires_at: Date;
    decided_by: string | null;
    source: string | null;
    external_ref: string | null;
  }>(
    `SELECT approval_id, work_order_id, action_id, job_type, owner, requested_by, status, requested_at, expires_at, decided_by,
            (SELECT wo.source FROM view_work_orders wo WHERE wo.id = view_approvals.work_order_id) AS source,
            (SELECT wo.external_ref FROM view_work_orders wo WHERE wo.id = view_approvals.work_order_id) AS external_ref
       FROM view_approvals ${w.sql} ORDER BY owner, requested_at, approval_id LIMIT ${w.param(clamp(q.limit, 1000, 10_000))}`,
    w.params,
  );
  const now = Date.parse(asOf);
  return rows.map((r) => {
    const age = Math.max(0, now - r.requested_at.getTime());
    return {
      approvalId: r.approval_id,
      workOrderId: r.work_order_id,
      actionId: r.action_id,
      jobType: r.job_type,
      owner: r.owner,
      requestedBy: r.requested_by,
      status: r.status,
      requestedAt: iso(r.requested_at),
      expiresAt: iso(r.expires_at),
      decidedBy: r.decided_by ?? null,
      age: formatDuration(age),
      ageSeconds: Math.floor(age / 1000),
      source: r.source ?? null,
      externalRef: r.external_ref ?? null,
    };
  });
}
