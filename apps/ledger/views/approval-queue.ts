import { PoolClient } from 'pg';
import { ApprovalQueueRequest, ApprovalQueueRow, approvalStream, RecordedEvent } from '@workgate/contracts';
import { approvalEventOf, ApprovalState, conditionViews, evolveApproval, initialApprovalState } from '@workgate/domain';
import { queryView } from './views.queries';

type Queryable = { query: PoolClient['query'] };

/**
 * The approval queue: the approvals view's rows, oldest first, and for each conditional approval
 * its conditions as the approval itself shows them (what is left to close). The conditions come
 * from the approvals' own streams, a few events each.
 */
export async function approvalQueue(db: Queryable, req: ApprovalQueueRequest | undefined): Promise<ApprovalQueueRow[]> {
  const rows = await queryView(db, {
    view: 'approvals',
    owner: req?.owner,
    status: req?.status ?? 'all',
    limit: req?.limit,
  });
  const streams = rows.filter((r) => r.status === 'conditional').map((r) => approvalStream(String(r.approvalId)));
  if (streams.length === 0) return rows;
  const { rows: events } = await db.query<Pick<RecordedEvent, 'streamId' | 'type' | 'data'>>(
    'SELECT stream_id AS "streamId", type, data FROM ledger_events WHERE stream_id = ANY($1) ORDER BY stream_id, stream_version',
    [streams],
  );
  const states = new Map<string, ApprovalState>();
  for (const e of events)
    states.set(
      e.streamId,
      evolveApproval(states.get(e.streamId) ?? initialApprovalState(), approvalEventOf(e as RecordedEvent)),
    );
  return rows.map((r) => {
    const conditions = conditionViews(states.get(approvalStream(String(r.approvalId))) ?? initialApprovalState());
    return conditions ? { ...r, conditions } : r;
  });
}
