// @ts-check
/* Where the live map draws an exception code from: the definition lets every step raise every code
 * it lists, so the plain map draws each code from all the steps; the live map draws a code that
 * blocked steps in the window from those steps alone, each edge labelled with how many times
 * (a step's own blocks, counted from the StepBlocked events that name the step). */

/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').MapEdge} MapEdge */
/** @typedef {import('@workgate/contracts/workflow-map').NodeNumbers} NodeNumbers */

/**
 * Per exception code, the steps that raised it in the window and how many times: code → step → count.
 * @param {WorkflowMap} map
 * @param {Record<string, NodeNumbers>} numbers
 * @returns {Map<string, Map<string, number>>}
 */
export function raisingSteps(map, numbers) {
  /** @type {Map<string, Map<string, number>>} */
  const out = new Map();
  for (const n of map.nodes) {
    const x = numbers[n.id];
    if (n.kind !== 'step' || !x || !('exceptions' in x)) continue;
    for (const e of x.exceptions) {
      if (e.count <= 0) continue;
      /** @type {Map<string, number>} */
      const at = out.get(e.code) ?? new Map();
      out.set(e.code, at.set(n.id, e.count));
    }
  }
  return out;
}

/**
 * The map as the live map draws it: a step's `may_raise` (and the handoff beside it) to a code that
 * steps raised in the window is kept only from those steps, labelled `raised N` (the handoff's
 * owners after it); the edges of a code no step raised stay as the definition declares them.
 * @param {WorkflowMap} map
 * @param {Record<string, NodeNumbers>} numbers
 * @returns {WorkflowMap}
 */
export function withRaisingSteps(map, numbers) {
  const raised = raisingSteps(map, numbers);
  const steps = new Set(map.nodes.filter((n) => n.kind === 'step').map((n) => n.id));
  /** @type {(e: MapEdge) => boolean} */
  const handoffBeside = (e) => map.edges.some((x) => x.kind === 'handoff' && x.from === e.from && x.to === e.to);
  /** @type {(e: MapEdge) => MapEdge[]} */
  const drawn = (e) => {
    const at = raised.get(e.to);
    if (!at || !steps.has(e.from) || (e.kind !== 'may_raise' && e.kind !== 'handoff')) return [e];
    const count = at.get(e.from);
    if (!count) return [];
    const label = `raised ${count}`;
    if (e.kind === 'handoff') return [{ ...e, label: e.label ? `${label} · ${e.label}` : label }];
    return [handoffBeside(e) ? e : { ...e, label }];
  };
  return { ...map, edges: map.edges.flatMap(drawn) };
}

/**
 * What an exception code's tooltip adds: the steps that raised it in the window (`raised at
 * validate-address 2, inspect-case 1`), or nothing.
 * @param {Map<string, Map<string, number>>} raised
 * @param {string} code
 */
export function raisedAtText(raised, code) {
  const at = raised.get(code);
  if (!at) return '';
  const steps = [...at].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return `raised at ${steps.map(([step, n]) => `${step} ${n}`).join(', ')}`;
}
