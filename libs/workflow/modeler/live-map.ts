import {
  ExceptionNumbers,
  GateNumbers,
  LiveMapViewRows,
  LiveWorkflowMap,
  NodeNumbers,
  RuleNumbers,
  StepNumbers,
  ViewName,
  ViewRow,
  WorkflowMap,
} from '@workgate/contracts';
import { rankFailurePoints } from './failure-points';

/** The evidence views the live map's numbers come from, each asked with the same window. */
export const LIVE_MAP_VIEWS = {
  steps: 'steps',
  stepExceptions: 'step-exceptions',
  gates: 'gates',
  rules: 'rules',
  exceptionCodes: 'exception-codes',
} as const satisfies Record<keyof LiveMapViewRows, ViewName>;

/** The rows of each of those views for one job type and window (the ledger's live-map answer). */
export type LiveMapRows = LiveMapViewRows;

const num = (r: ViewRow | undefined, key: string): number => {
  const v = r?.[key];
  return typeof v === 'number' ? v : 0;
};
const numOrNull = (r: ViewRow | undefined, key: string): number | null => {
  const v = r?.[key];
  return typeof v === 'number' ? v : null;
};

function stepNumbers(id: string, rows: LiveMapRows): StepNumbers {
  const r = rows.steps.find((s) => s.stepId === id);
  return {
    open: num(r, 'open'),
    completed: num(r, 'completed'),
    blocked: num(r, 'blocked'),
    stalled: num(r, 'stalled'),
    p50Seconds: numOrNull(r, 'p50Seconds'),
    p95Seconds: numOrNull(r, 'p95Seconds'),
    exceptions: rows.stepExceptions
      .filter((x) => x.stepId === id)
      .map((x) => ({ code: String(x.code), count: num(x, 'count') })),
  };
}

function gateNumbers(id: string, rows: LiveMapRows): GateNumbers {
  const r = rows.gates.find((g) => g.gate === id);
  return {
    pending: num(r, 'pending'),
    approved: num(r, 'approved'),
    conditional: num(r, 'conditional'),
    rejected: num(r, 'rejected'),
    expired: num(r, 'expired'),
    p50WaitSeconds: numOrNull(r, 'p50WaitSeconds'),
  };
}

const ruleNumbers = (id: string, rows: LiveMapRows): RuleNumbers => ({
  decisions: rows.rules.filter((r) => r.rule === id).reduce((sum, r) => sum + num(r, 'decisions'), 0),
});

function exceptionNumbers(id: string, rows: LiveMapRows): ExceptionNumbers {
  const r = rows.exceptionCodes.find((x) => x.code === id);
  return { open: num(r, 'open'), overdue: num(r, 'overdue'), escalated: num(r, 'escalated'), count: num(r, 'count') };
}

/**
 * The live numbers of a map's nodes from the views' rows (docs/views.md, The live workflow map): a step's from `steps`
 * and `step-exceptions`, a gate's (a wait rule, or an approval gate of a stage or overlay) from
 * `gates`, a stop or run rule's from `rules` (its decisions, whatever they were), an exception
 * code's from `exception-codes`. Every such node has numbers: zeros where the views have no row.
 */
export function liveNumbers(map: WorkflowMap, rows: LiveMapRows): Record<string, NodeNumbers> {
  const numbers: Record<string, NodeNumbers> = {};
  for (const n of map.nodes) {
    if (n.kind === 'step') numbers[n.id] = stepNumbers(n.id, rows);
    else if (n.kind === 'gate') numbers[n.id] = gateNumbers(n.id, rows);
    else if (n.kind === 'stop' || n.kind === 'run') numbers[n.id] = ruleNumbers(n.id, rows);
    else if (n.kind === 'exception') numbers[n.id] = exceptionNumbers(n.id, rows);
  }
  return numbers;
}

/** The live map: the version's map, its nodes' numbers and where work fails most, for the window. */
export function liveWorkflowMap(
  map: WorkflowMap,
  rows: LiveMapRows,
  window: LiveWorkflowMap['window'],
): LiveWorkflowMap {
  const numbers = liveNumbers(map, rows);
  return { ...map, window, numbers, failurePoints: rankFailurePoints(map, numbers) };
}
