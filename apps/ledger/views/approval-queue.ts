import { ApprovalQueueRequest, ApprovalQueueRow, approvalStream } from '@workgate/contracts';
import { approvalEventOf, ApprovalState, conditionViews, evolveApproval, initialApprovalState } from '@workgate/domain';
import { toRecordedEvent } from '@workgate/event-store';
import { Queryable } from './view-table';
import { queryView } from './views.queries';

/**
 * The approval queue: the approvals view's rows, oldest first, and for each conditional approval
 * its conditions as the approval itself shows them (what is left to close). The conditions come
 * from the approvals' own streams, a few events each.
 */
export async function approvalQueue(
  db: Queryable,
  req: ApprovalQueueRequest | undefined,
  /** The signed frontier: no event past it is read (docs/ledger.md, "Readers act only on signed rows"). */
  signedUpTo: number,
): Promise<ApprovalQueueRow[]> {
  const rows = await queryView(db, {
    view: 'approvals',
    owner: req?.owner,
    status: req?.status ?? 'all',
    limit: req?.limit,
  });
  // A workflow change (no work order) shows its diff: it is kept on its request.
  const streams = rows
    .filter((r) => r.status === 'conditional' || r.workOrderId === null)
    .map((r) => approvalStream(String(r.approvalId)));
  if (streams.length === 0) return rows;
  const { rows: events } = await db.query<Parameters<typeof toRecordedEvent>[0]>(
    `SELECT position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash
       FROM ledger_events WHERE stream_id = ANY($1) AND position <= $2 ORDER BY stream_id, stream_version`,
    [streams, signedUpTo],
  );
  const states = new Map<string, ApprovalState>();
  for (const e of events.map(toRecordedEvent))
    states.set(e.streamId, evolveApproval(states.get(e.streamId) ?? initialApprovalState(), approvalEventOf(e)));
  return rows.map((r) => {
    const state = states.get(approvalStream(String(r.approvalId))) ?? initialApprovalState();
    const conditions = conditionViews(state);
    const change = state.status === 'none' ? undefined : state.change;
    return { ...r, ...(conditions ? { conditions } : {}), ...(change ? { kind: 'workflow-change', change } : {}) };
  });
}
