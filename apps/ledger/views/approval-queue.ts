import {
  ApprovalQueueRequest,
  ApprovalQueueRow,
  approvalStream,
  ChangeKind,
  idOfStream,
  PATTERN_CHANGE,
} from '@workgate/contracts';
import { gateNodeId } from '@workgate/workflow';
import { approvalEventOf, ApprovalState, conditionViews, evolveApproval, initialApprovalState } from '@workgate/domain';
import { toRecordedEvent } from '@workgate/event-store';
import { Queryable } from './view-table';
import { queryView } from './views.queries';

/**
 * The approval queue: the approvals view's rows, oldest first, and for each conditional approval
 * its conditions as the approval itself shows them (what is left to close). The conditions come
 * from the approvals' own streams, a few events each. A workflow change its owner asked for is in
 * the queue of each of its reviewers too (`owner` names one of them), with `reviewers`.
 */
export async function approvalQueue(
  db: Queryable,
  req: ApprovalQueueRequest | undefined,
  /** The signed frontier: no event past it is read (docs/ledger.md, "Readers act only on signed rows"). */
  signedUpTo: number,
): Promise<ApprovalQueueRow[]> {
  const after = req?.after;
  // The queue is read up to the view's bound, then ordered oldest first: a page starts past the cursor.
  const query = { view: 'approvals', status: req?.status ?? 'all', limit: 10_000, jobType: req?.jobType } as const;
  const rows = await queryView(db, { ...query, owner: req?.owner });
  const reviewed = req?.owner ? await reviewedBy(db, req.owner, signedUpTo) : new Map<string, ApprovalState>();
  // The owners of the changes this principal reviews: their rows, kept when the principal is a reviewer.
  for (const owner of new Set([...reviewed.values()].map((s) => (s.status === 'none' ? '' : s.owner))))
    rows.push(...(await queryView(db, { ...query, owner })).filter((r) => reviewed.has(String(r.approvalId))));
  const key = (r: { requestedAt?: unknown; approvalId?: unknown }) =>
    `${String(r.requestedAt)}\u0000${String(r.approvalId)}`;
  rows.sort((a, b) => key(a).localeCompare(key(b)));
  const ofKind = req?.kind ? await changesOf(db, req.kind) : undefined;
  const kept = ofKind ? rows.filter((r) => ofKind.has(String(r.approvalId))) : rows;
  const from = after ? kept.filter((r) => key(r) > key(after)) : kept;
  const page = from.slice(0, req?.limit ?? from.length);
  // Each row of the page carries what its card shows, as the approval does: a few events per approval.
  const states = await statesOf(
    db,
    page.map((r) => String(r.approvalId)),
    signedUpTo,
  );
  return page.map((r) => {
    const state = states.get(String(r.approvalId)) ?? initialApprovalState();
    const conditions = conditionViews(state);
    const change = state.status === 'none' ? undefined : state.change;
    const patternChange = state.status === 'none' ? undefined : state.patternChange;
    const reviewers = state.status === 'none' ? undefined : state.reviewers;
    const kind = state.status === 'none' ? undefined : state.kind;
    const action = state.status === 'none' ? undefined : state.action;
    const quorum = state.status === 'none' || state.required === undefined ? undefined : state;
    return {
      ...r,
      ...(kind ? { kind } : {}),
      ...(action ? { requestedAction: action } : {}),
      ...(conditions ? { conditions } : {}),
      ...(change ? { kind: 'workflow-change', change } : {}),
      ...(patternChange ? { jobType: patternChange.name, patternChange } : {}),
      ...(reviewers ? { reviewers } : {}),
      ...(quorum
        ? {
            required: quorum.required ?? 1,
            from: quorum.from ?? [],
            approvals: (quorum.decisions ?? []).map(({ by, at, decision }) => ({ by, at, decision })),
          }
        : {}),
    };
  });
}

/** The approvals of changes of this kind (no work order; a pattern change's gate is its kind's). */
async function changesOf(db: Queryable, kind: ChangeKind): Promise<Set<string>> {
  const { rows } = await db.query<{ approval_id: string }>(
    `SELECT approval_id FROM view_approvals WHERE work_order_id IS NULL AND (gate IS NOT DISTINCT FROM $1) = $2`,
    [gateNodeId(PATTERN_CHANGE), kind === PATTERN_CHANGE],
  );
  return new Set(rows.map((r) => r.approval_id));
}

/** The approvals' states by id, folded from their streams up to the signed frontier. */
async function statesOf(db: Queryable, ids: string[], signedUpTo: number): Promise<Map<string, ApprovalState>> {
  const states = new Map<string, ApprovalState>();
  if (ids.length === 0) return states;
  const { rows: events } = await db.query<Parameters<typeof toRecordedEvent>[0]>(
    `SELECT position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash
       FROM ledger_events WHERE stream_id = ANY($1) AND position <= $2 ORDER BY stream_id, stream_version`,
    [ids.map(approvalStream), signedUpTo],
  );
  for (const e of events.map(toRecordedEvent)) {
    const id = idOfStream(e.streamId);
    states.set(id, evolveApproval(states.get(id) ?? initialApprovalState(), approvalEventOf(e)));
  }
  return states;
}

/**
 * The workflow changes (approvals of no work order) that name `principal` among their reviewers,
 * and the pending approvals of several approvers that name it in `from`, another owning them.
 */
async function reviewedBy(db: Queryable, principal: string, signedUpTo: number): Promise<Map<string, ApprovalState>> {
  const { rows } = await db.query<{ approval_id: string }>(
    `SELECT approval_id FROM view_approvals
      WHERE (work_order_id IS NULL OR status IN ('requested', 'conditional')) AND owner <> $1`,
    [principal],
  );
  const states = await statesOf(
    db,
    rows.map((r) => r.approval_id),
    signedUpTo,
  );
  for (const [id, s] of states)
    if (s.status === 'none' || !(s.reviewers?.includes(principal) || s.from?.includes(principal))) states.delete(id);
  return states;
}
