/** What `tally` (ledger-tally.ts) folds the ledger's events into. */

/** A window of the views: [from, to), measured at asOf. */
export interface TallyWindow {
  from: string;
  to: string;
  asOf: string;
}

/** One blocked-or-waiting spell: from `since` to `until` (null: still running), at the step next when it began. */
export interface Spell {
  since: number;
  until: number | null;
  step: string | null;
}

/** A work order as its events left it. */
export interface TalliedWorkOrder {
  id: string;
  jobType: string;
  openedAt: number;
  active: boolean;
  closedAt: number | null;
  evidenceMissing: boolean;
  /** Its version's steps in the definition's order. */
  order: string[];
  /** Step id -> seconds from the previous completion (or the opening) to its first completion. */
  completed: Map<string, number>;
  /** Every block at a step of its version. */
  blocks: Array<{ stepId: string; code: string }>;
  spells: Spell[];
  stallAfterMs: number;
}

export interface TalliedException {
  workOrder: TalliedWorkOrder;
  code: string;
  raisedAt: number;
  dueAt: number;
  resolvedAt: number | null;
  escalatedAt: number | null;
}

export interface TalliedApproval {
  workOrder: TalliedWorkOrder;
  gate: string | null;
  status: 'requested' | 'approved' | 'conditional' | 'rejected' | 'expired';
  requestedAt: number;
  expiresAt: number;
  decidedAt: number | null;
}

export interface Tally {
  workOrders: Map<string, TalliedWorkOrder>;
  exceptions: Map<string, TalliedException>;
  approvals: Map<string, TalliedApproval>;
  /** Per action: its work order and the rule that decided it (null: the boundary). */
  decisions: Map<string, { workOrder: TalliedWorkOrder; rule: string | null; decision: string }>;
}
