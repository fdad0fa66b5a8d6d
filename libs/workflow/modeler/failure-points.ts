import { FAILURE_MEASURES, FailureMeasure, FailurePoint, MapNode, NodeNumbers, WorkflowMap } from '@workgate/contracts';

const times = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

/** One measure at one node: its value and the clause a person reads (`place`: `at <node>`, or `there` after the first). */
interface Measured {
  measure: FailureMeasure;
  value: number;
  clause: (place: string) => string;
}

/** The measures above zero at one node, in `FAILURE_MEASURES` order, each with its clause. */
function measuresAt(node: MapNode, n: NodeNumbers): Measured[] {
  const out: Measured[] = [];
  const at = node.id;
  const add = (measure: FailureMeasure, value: number, clause: (place: string) => string) => {
    if (value > 0) out.push({ measure, value, clause });
  };
  if (node.kind === 'step' && 'blocked' in n) {
    const codes = [...n.exceptions]
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .map((x) => `${x.code} ${x.count}`);
    const by = codes.length ? ` (${codes.join(', ')})` : '';
    add('blocked', n.blocked, () => `${at} was blocked ${n.blocked === 1 ? 'once' : `${n.blocked} times`}${by}`);
    add('stalled', n.stalled, (place) => `${times(n.stalled, 'work order', 'work orders')} stalled ${place}`);
  }
  if (node.kind === 'gate' && 'rejected' in n) {
    add('rejected', n.rejected, (place) => `${times(n.rejected, 'approval was', 'approvals were')} rejected ${place}`);
    add('expired', n.expired, (place) => `${times(n.expired, 'approval', 'approvals')} expired undecided ${place}`);
  }
  if (node.kind === 'stop' && 'decisions' in n)
    add('stops', n.decisions, () => `${at} stopped ${times(n.decisions, 'action', 'actions')}`);
  if (node.kind === 'exception' && 'overdue' in n)
    add('overdue', n.overdue, () => `${times(n.overdue, `${at} exception is`, `${at} exceptions are`)} overdue`);
  return out.sort((a, b) => FAILURE_MEASURES.indexOf(a.measure) - FAILURE_MEASURES.indexOf(b.measure));
}

/**
 * The one failure point of a node from its measures (none when nothing there is above zero): ranked
 * by its first measure, every measure counted, one sentence (the node named once, then "there").
 */
function pointAt(at: string, measures: Measured[], known: string[]): FailurePoint | null {
  const [first] = measures;
  if (!first) return null;
  return {
    at,
    measure: first.measure,
    value: first.value,
    counts: Object.fromEntries(measures.map((m) => [m.measure, m.value])),
    message: measures.map((m, i) => m.clause(i === 0 ? `at ${at}` : 'there')).join('; '),
    known,
  };
}

/**
 * Where work fails or stalls most, one entry per node, as one ranking a person reads top down: by
 * the node's first measure (blocked steps first, then stalls, rejected and expired gates, stop
 * decisions, overdue exceptions), then its value, then the node id. A step blocked and stalled is
 * one entry with both counts. Each point carries the `knownFailures` notes the definition declares
 * at its node. Pure.
 */
export function rankFailurePoints(map: WorkflowMap, numbers: Record<string, NodeNumbers>): FailurePoint[] {
  const rank = (m: FailureMeasure) => FAILURE_MEASURES.indexOf(m);
  return map.nodes
    .flatMap((node) => {
      const n = numbers[node.id];
      const known = map.knownFailures.filter((k) => k.at === node.id).map((k) => k.note);
      const point = n ? pointAt(node.id, measuresAt(node, n), known) : null;
      return point ? [point] : [];
    })
    .sort((a, b) => rank(a.measure) - rank(b.measure) || b.value - a.value || a.at.localeCompare(b.at));
}
