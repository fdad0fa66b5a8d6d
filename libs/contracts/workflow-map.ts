/** The workflow map and its live numbers (docs/views.md, The live workflow map): what a workflow version is, drawn as a graph. */

export const MAP_NODE_KINDS = [
  'input',
  'object',
  'system',
  'step',
  'gate',
  'stop',
  'run',
  'exception',
  'break-glass',
  'stage',
  'overlay',
  'delegation',
  'closure',
] as const;
export type MapNodeKind = (typeof MAP_NODE_KINDS)[number];

export const MAP_EDGE_KINDS = ['next', 'governs', 'may_raise', 'handoff'] as const;
export type MapEdgeKind = (typeof MAP_EDGE_KINDS)[number];

/**
 * A node of the map. Its id is the definition's own id where the definition has one (a step, rule,
 * system, exception code, stage or overlay id); derived nodes have fixed ids (see `DERIVED_NODE_IDS`)
 * or `input:<name>` / `object:<name>` / `gate:<gate>`.
 */
export interface MapNode {
  id: string;
  kind: MapNodeKind;
  label: string;
  /** Who does it or decides it (a principal id or a role), where the definition says or implies one. */
  owner?: string;
  /** What a person needs to read the node: evidence kinds, reason, reads and writes, SLA, timeout contract. */
  detail: Record<string, string | number | boolean | string[]>;
  /** `pattern` when the pattern the workflow extends gave the node's part (docs/patterns.md, The effective definition). */
  from?: 'pattern';
}

export interface MapEdge {
  from: string;
  to: string;
  kind: MapEdgeKind;
  /** A handoff's `from-owner → to-owner`; otherwise absent or a short word. */
  label?: string;
}

/** Where receipts are written: a node id and the receipts recorded there (evidence kinds, or `decision`). */
export interface ReceiptPlanEntry {
  at: string;
  receipts: string[];
}

/** `GET /v1/workflows/:jobType/versions/:v/map`. */
export interface WorkflowMap {
  jobType: string;
  version: number;
  sha256: string;
  title: string;
  owner: string;
  nodes: MapNode[];
  edges: MapEdge[];
  receiptPlan: ReceiptPlanEntry[];
  /** The definition's declared `knownFailures`, as written. */
  knownFailures: { at: string; note: string }[];
}

/** Ids of nodes derived from the definition rather than named in it. */
export const DERIVED_NODE_IDS = {
  closure: 'closure',
  breakGlass: 'break-glass',
  delegation: 'delegation',
} as const;

/** Live numbers of a step for work orders opened in the window. */
export interface StepNumbers {
  open: number;
  completed: number;
  blocked: number;
  stalled: number;
  p50Seconds: number | null;
  p95Seconds: number | null;
  exceptions: { code: string; count: number }[];
}

/** Live numbers of a gate (a wait rule, an approval gate of a stage or overlay). */
export interface GateNumbers {
  pending: number;
  approved: number;
  conditional: number;
  rejected: number;
  expired: number;
  p50WaitSeconds: number | null;
}

/** Live numbers of a stop or run rule. */
export interface RuleNumbers {
  decisions: number;
}

/** Live numbers of an exception code. */
export interface ExceptionNumbers {
  open: number;
  overdue: number;
  escalated: number;
  count: number;
}

export type NodeNumbers = StepNumbers | GateNumbers | RuleNumbers | ExceptionNumbers;

/**
 * What a failure point counts, in the order they rank: a step's blocks, the work orders stalled at
 * a step, a gate's rejected and expired approvals, a stop rule's decisions, overdue exceptions.
 */
export const FAILURE_MEASURES = ['blocked', 'stalled', 'rejected', 'expired', 'stops', 'overdue'] as const;
export type FailureMeasure = (typeof FAILURE_MEASURES)[number];

/**
 * A place where work stalls or fails, ranked most first: one per node, with every measure above zero
 * there (a step's blocks and stalls together).
 */
export interface FailurePoint {
  /** A node id of the map. */
  at: string;
  /** What ranks it: the first of its measures in `FAILURE_MEASURES` order. */
  measure: FailureMeasure;
  value: number;
  /** Every measure above zero at this node, `measure` among them. */
  counts: Partial<Record<FailureMeasure, number>>;
  /** A sentence a person reads, naming every measure in `counts`. */
  message: string;
  /** The definition's `knownFailures` notes declared at this node. */
  known: string[];
}

/** `GET /v1/workflows/:jobType/map?from=&to=`: the current version's map with live numbers. */
export interface LiveWorkflowMap extends WorkflowMap {
  window: { from: string | null; to: string | null; asOf: string };
  /** Numbers by node id, for the nodes that have them (steps, gates, stop and run rules, exception codes). */
  numbers: Record<string, NodeNumbers>;
  failurePoints: FailurePoint[];
}
