import { ApprovalEvents, Decision, idOfStream, WorkOrderEvents } from '@workgate/contracts';
import { Counts, dayOf } from './day-counts';
import { Handles } from './view-event';
import { View } from './view-projection';
import { ViewTable } from './view-table';
import { WorkOrderLookup } from './work-orders.projection';

/** An action's decision: the rule that made it (null: the boundary decided), and its work order's opening. */
export interface DecisionRow {
  actionId: string;
  workOrderId: string;
  jobType: string;
  version: number;
  rule: string | null;
  decision: Decision;
  decidedAt: string;
  /** When its work order was opened (the live map's window is on it). */
  openedAt: string;
}

const handles = {
  [WorkOrderEvents.ActionDecided]: 'workorder',
  // Changes nothing here: the decision of the action an approval waits for is read for the approvals view.
  [ApprovalEvents.Requested]: 'approval',
} as const satisfies Handles;

/** The decisions a page has, by action id, as far as it has folded. */
export type DecisionLookup = { decision(actionId: string): DecisionRow | undefined };

/** `view_decisions`: every action decision (one per action) and the rule that made it. */
export const decisionsView: View<DecisionRow, typeof handles, WorkOrderLookup> = {
  table: new ViewTable<DecisionRow>('view_decisions', 'action_id', [
    ['action_id', 'uuid', 'actionId'],
    ['work_order_id', 'uuid', 'workOrderId'],
    ['job_type', 'text', 'jobType'],
    ['version', 'bigint', 'version'],
    ['rule', 'text', 'rule'],
    ['decision', 'text', 'decision'],
    ['decided_at', 'timestamptz', 'decidedAt'],
    ['opened_at', 'timestamptz', 'openedAt'],
  ]),
  handles,
  read: { by: 'id', startedBy: WorkOrderEvents.ActionDecided },
  key: (row) => row.actionId,
  ids: (e) => [e.data.actionId],
  evolve: (row, e, id, ctx) => {
    if (row || e.type === ApprovalEvents.Requested) return row;
    const d = e.data;
    const workOrderId = idOfStream(e.streamId);
    return {
      actionId: id,
      workOrderId,
      jobType: d.decision.policy.jobType,
      version: d.decision.policy.version,
      rule: d.decision.rule ?? null,
      decision: d.decision.decision,
      decidedAt: e.occurredAt,
      openedAt: ctx.workOrder(workOrderId)?.openedAt ?? e.occurredAt,
    };
  },
};

/** Per job type, version and day of its work orders' opening: the action decisions by rule and decision. */
export interface DecisionCountsRow {
  /** The other fields, as JSON. */
  key: string;
  jobType: string;
  version: number;
  /** YYYY-MM-DD. */
  day: string;
  rule: string | null;
  decision: Decision;
  decisions: number;
}

/** `view_decision_counts`: the decisions of view_decisions counted by day, so the rules view sums days, not decisions. */
export const decisionCounts: Counts<DecisionRow, DecisionCountsRow> = {
  table: new ViewTable<DecisionCountsRow>('view_decision_counts', 'key', [
    ['key', 'text', 'key'],
    ['job_type', 'text', 'jobType'],
    ['version', 'int', 'version'],
    ['day', 'text', 'day'],
    ['rule', 'text', 'rule'],
    ['decision', 'text', 'decision'],
    ['decisions', 'int', 'decisions'],
  ]),
  of: (r) => {
    const day = dayOf(r.openedAt);
    const key = JSON.stringify([r.jobType, r.version, day, r.rule, r.decision]);
    return [{ key, jobType: r.jobType, version: r.version, day, rule: r.rule, decision: r.decision, decisions: 1 }];
  },
  none: (c) => ({ ...c, decisions: 0 }),
  addInto: (into, c, sign = 1) => {
    into.decisions += sign * c.decisions;
    return into;
  },
  isZero: (c) => !c.decisions,
};
