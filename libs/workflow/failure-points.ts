import { FAILURE_MEASURES, FailureMeasure, FailurePoint, MapNode, NodeNumbers, WorkflowMap } from '@workgate/contracts';

const times = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);

/** The failure points one node shows, unranked: each measure above zero, with a sentence a person reads. */
function pointsAt(node: MapNode, n: NodeNumbers): Array<Omit<FailurePoint, 'known'>> {
  const at = node.id;
  const points: Array<Omit<FailurePoint, 'known'>> = [];
  const add = (measure: FailureMeasure, value: number, message: string) => {
    if (value > 0) points.push({ at, measure, value, message });
  };
  if (node.kind === 'step' && 'blocked' in n) {
    const codes = [...n.exceptions]
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
      .map((x) => `${x.code} ${x.count}`);
    const by = codes.length ? ` (${codes.join(', ')})` : '';
    add('blocked', n.blocked, `${at} was blocked ${n.blocked === 1 ? 'once' : `${n.blocked} times`}${by}`);
    add('stalled', n.stalled, `${times(n.stalled, 'work order', 'work orders')} stalled at ${at}`);
  }
  if (node.kind === 'gate' && 'rejected' in n) {
    add('rejected', n.rejected, `${times(n.rejected, 'approval was', 'approvals were')} rejected at ${at}`);
    add('expired', n.expired, `${times(n.expired, 'approval', 'approvals')} expired undecided at ${at}`);
  }
  if (node.kind === 'stop' && 'decisions' in n)
    add('stops', n.decisions, `${at} stopped ${times(n.decisions, 'action', 'actions')}`);
  if (node.kind === 'exception' && 'overdue' in n)
    add('overdue', n.overdue, `${times(n.overdue, `${at} exception is`, `${at} exceptions are`)} overdue`);
  return points;
}

/**
 * Where work fails or stalls most, as one ranking a person reads top down: by measure (blocked
 * steps first, then stalls, rejected and expired gates, stop decisions, overdue exceptions), then
 * the largest value, then the node id. Each point carries the `knownFailures` notes the definition
 * declares at its node. Pure.
 */
export function rankFailurePoints(map: WorkflowMap, numbers: Record<string, NodeNumbers>): FailurePoint[] {
  const rank = (m: FailureMeasure) => FAILURE_MEASURES.indexOf(m);
  return map.nodes
    .flatMap((node) => {
      const n = numbers[node.id];
      return n ? pointsAt(node, n) : [];
    })
    .sort((a, b) => rank(a.measure) - rank(b.measure) || b.value - a.value || a.at.localeCompare(b.at))
    .map((p) => ({ ...p, known: map.knownFailures.filter((k) => k.at === p.at).map((k) => k.note) }));
}
