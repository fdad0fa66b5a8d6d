import { DelegationEvents, InboxMessage, InboxRequest, WorkgateError } from '@workgate/contracts';
import { maskStrings } from '@workgate/domain';
import { clamp, Where } from './query-filters';
import { Handles } from './view-event';
import { View } from './view-projection';
import { Queryable, ViewTable } from './view-table';

/** A delegation as its recipient's inbox shows it. */
export interface InboxRow {
  dispatchId: string;
  recipient: string;
  command: string;
  dispatchCreatedAt: string;
  workOrderId: string;
  message: InboxMessage;
}

const handles = { [DelegationEvents.Dispatched]: 'delegation' } as const satisfies Handles;

/** `view_inbox`: every delegation dispatched, by recipient (a dispatch makes its row whole). */
export const inboxView: View<InboxRow, typeof handles, unknown> = {
  table: new ViewTable<InboxRow>('view_inbox', 'dispatch_id', [
    ['dispatch_id', 'uuid', 'dispatchId'],
    ['recipient', 'text', 'recipient'],
    ['command', 'text', 'command'],
    ['dispatch_created_at', 'timestamptz', 'dispatchCreatedAt'],
    ['work_order_id', 'uuid', 'workOrderId'],
    ['message', 'jsonb', 'message'],
  ]),
  handles,
  read: { by: 'none' },
  key: (row) => row.dispatchId,
  ids: (e) => [e.data.dispatchId],
  evolve: (_row, e) => {
    const x = e.data;
    return {
      dispatchId: x.dispatchId,
      recipient: x.recipient,
      command: x.command,
      dispatchCreatedAt: x.dispatchCreatedAt,
      workOrderId: x.workOrderId,
      message: {
        dispatchId: x.dispatchId,
        dispatchCreatedAt: x.dispatchCreatedAt,
        command: x.command,
        workOrderId: x.workOrderId,
        from: x.dispatchedBy,
        prompt: x.prompt,
      },
    };
  },
};

/**
 * A recipient's inbox, oldest first: the delegations dispatched to it (from `since`, of one command
 * kind). Their prompts are shown masked (docs/api.md, Conventions (masking)), rows folded before masking was done included; the
 * ledger keeps what was sent, for ops leads.
 */
export async function inboxMessages(db: Queryable, q: InboxRequest): Promise<InboxMessage[]> {
  if (typeof q.recipient !== 'string' || q.recipient === '')
    throw new WorkgateError('validation_failed', 'recipient is required');
  if (q.since !== undefined && Number.isNaN(Date.parse(q.since)))
    throw new WorkgateError('validation_failed', 'since must be an RFC 3339 time');
  const w = new Where()
    .add('recipient = ?', q.recipient)
    .add('dispatch_created_at >= ?', q.since)
    .add('command = ?', q.filter === 'all' ? undefined : q.filter);
  const { rows } = await db.query<{ message: InboxMessage }>(
    `SELECT message FROM view_inbox ${w.sql} ORDER BY dispatch_created_at, dispatch_id LIMIT ${w.param(clamp(q.limit, 500, 1000))}`,
    w.params,
  );
  return rows.map((r) => ({ ...r.message, prompt: maskStrings(r.message.prompt) }));
}
