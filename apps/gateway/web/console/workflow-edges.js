// @ts-check
/* The workflow map's edges as drawn: parallel edges made one, an edge every member of a group shares
 * drawn once from the group's box, and which nodes the flow reaches. */

/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('./map-types').PairedEdge} PairedEdge */
/** @typedef {import('./map-types').DrawnEdge} DrawnEdge */

/**
 * The edges to draw: parallel edges between the same two nodes become one (a `may_raise` that is
 * also a handoff keeps both kinds), and an edge every member of a group shares with the same other
 * end becomes one edge from (or to) the group's box.
 * @param {WorkflowMap} map
 * @param {Map<string, string>} groupOf
 * @param {Map<string, string[]>} members
 * @returns {DrawnEdge[]}
 */
export function drawnEdges(map, groupOf, members) {
  /** @type {Map<string, PairedEdge>} */
  const byPair = new Map();
  for (const e of map.edges) {
    const key = `${e.from}\u0000${e.to}`;
    const seen = byPair.get(key);
    if (seen) {
      seen.kinds.push(e.kind);
      if (e.label) seen.label = e.label;
    } else byPair.set(key, { from: e.from, to: e.to, kinds: [e.kind], label: e.label });
  }
  // A rule governs a system and takes the work over from whoever acts on it: one line, rule → system.
  for (const [key, e] of byPair) {
    const back = byPair.get(`${e.to}\u0000${e.from}`);
    if (!back || !e.kinds.includes('handoff') || !back.kinds.includes('governs')) continue;
    back.kinds.push(...e.kinds);
    back.label = e.label;
    byPair.delete(key);
  }
  /** @type {PairedEdge[]} */
  const out = [];
  /** @type {Map<string, PairedEdge & { sources: string[] }>} */
  const bundled = new Map();
  for (const e of byPair.values()) {
    const group = groupOf.get(e.from);
    if (!group || groupOf.get(e.to) === group) {
      out.push(e);
      continue;
    }
    const sig = `${group}\u0000${e.to}\u0000${e.kinds.join()}\u0000${e.label || ''}`;
    const b = bundled.get(sig) || { ...e, from: group, sources: [] };
    b.sources.push(e.from);
    bundled.set(sig, b);
  }
  for (const b of bundled.values()) {
    if (b.sources.length === members.get(b.from)?.length && b.sources.length > 1) out.push(b);
    else for (const s of b.sources) out.push({ from: s, to: b.to, kinds: b.kinds, label: b.label });
  }
  return out.map((e, i) => ({ ...e, id: `e${i}`, kind: e.kinds.includes('next') ? 'next' : e.kinds[0] }));
}

/**
 * The ids reachable from `start` along `pairs`, either way.
 * @param {string} start
 * @param {Array<[string, string]>} pairs
 */
export function connected(start, pairs) {
  const seen = new Set([start]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [a, b] of pairs)
      if (seen.has(a) !== seen.has(b)) {
        seen.add(a);
        seen.add(b);
        grew = true;
      }
  }
  return seen;
}
