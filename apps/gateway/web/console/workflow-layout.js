/* The workflow map as a graph to lay out (ELK's layered algorithm, left to right), and the laid-out
 * result as boxes and lines in one coordinate space. Pure: text is measured by the `measure`
 * function it is given, ELK is the instance it is given, so the page and a test use the same code. */

/** How a node reads on the map: its kind line, its label, and the live numbers worth a badge. */
export const NODE = { maxLabelWidth: 180, padX: 10, padY: 8, kindLine: 15, labelLine: 17, badgeLine: 20 };

/** Nodes of these kinds sit in one labelled box; edges that every member shares are drawn once, from the box. */
const GROUPS = [
  { kind: 'input', id: 'group:inputs', label: 'Inputs' },
  { kind: 'object', id: 'group:objects', label: 'Objects' },
  { kind: 'step', id: 'group:steps', label: 'Steps, in order' },
];

const SPACING = {
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.componentComponent': '32',
};
/** The whole drawing: the flow above, the systems and their rules below it. */
const LAYOUT = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.spacing.componentComponent': '28',
  'elk.layered.considerModelOrder.components': 'MODEL_ORDER',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};
/** The flow, left to right in step and stage order, its edges routed through the boxes of inputs and steps. */
const FLOW_LAYOUT = {
  ...SPACING,
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'true',
  // A long chain of stages wraps into rows rather than running off a wide screen.
  'elk.layered.wrapping.strategy': 'MULTI_EDGE',
  'elk.aspectRatio': '5',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};
/** What the flow does not reach: its boxes stacked. */
const REST_LAYOUT = {
  ...SPACING,
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.padding': '[top=0,left=0,bottom=0,right=0]',
};
/** Nodes with nothing between them, in one row. */
const ROW_LAYOUT = {
  ...SPACING,
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.separateConnectedComponents': 'false',
  'elk.padding': '[top=30,left=12,bottom=12,right=12]',
};
/** Each system with the rules above it that govern it, side by side. */
const BOUNDARY_LAYOUT = {
  ...SPACING,
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '40',
  'elk.layered.layering.strategy': 'LONGEST_PATH',
  'elk.separateConnectedComponents': 'false',
  'elk.padding': '[top=30,left=12,bottom=12,right=12]',
};
const GROUP_LAYOUT = { 'elk.padding': '[top=30,left=12,bottom=12,right=12]' };

/** `text` broken into lines no wider than `max` (at spaces, and after hyphens and dots of ids), at most `limit` lines. */
export function wrap(text, max, measure, limit = 3) {
  const words = String(text).match(/[^\s\-.]+[-.]?|[-.]/g) || [''];
  const lines = [];
  let line = '';
  for (const w of words) {
    const joined = line && !/[-.]$/.test(line) ? `${line} ${w}` : line + w;
    if (!line || measure(joined, 'label') <= max) line = joined;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  if (lines.length <= limit) return lines;
  return [...lines.slice(0, limit - 1), `${lines.slice(limit - 1).join(' ')}`.slice(0, 40) + '…'];
}

/** Badges laid in rows no wider than `width`: `[{text, tone, x, row}]`. */
function placeBadges(badges, width, measure) {
  let x = 0;
  let row = 0;
  return badges.map((b) => {
    const w = measure(b.text, 'badge') + 12;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const placed = { ...b, x, row, width: w };
    x += w + 4;
    return placed;
  });
}

/** A node's lines and size: the kind line, the wrapped label, the badges. */
function shape(node, badges, measure) {
  const kindText = node.owner ? `${node.kind} · ${node.owner}` : node.kind;
  const lines = wrap(node.label, NODE.maxLabelWidth, measure);
  const textWidth = Math.max(measure(kindText, 'kind'), ...lines.map((l) => measure(l, 'label')));
  const row = badges.reduce((w, b) => w + measure(b.text, 'badge') + 16, -4);
  const inner = Math.max(textWidth, 96, Math.min(NODE.maxLabelWidth, row));
  const placed = placeBadges(badges, inner, measure);
  const rows = placed.length ? placed[placed.length - 1].row + 1 : 0;
  return {
    kindText,
    lines,
    badges: placed,
    width: Math.ceil(inner + 2 * NODE.padX),
    height: Math.ceil(NODE.padY * 2 + NODE.kindLine + lines.length * NODE.labelLine + rows * NODE.badgeLine),
  };
}

/**
 * The edges to draw: parallel edges between the same two nodes become one (a `may_raise` that is
 * also a handoff keeps both kinds), and an edge every member of a group shares with the same other
 * end becomes one edge from (or to) the group's box.
 */
export function drawnEdges(map, groupOf, members) {
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
  const out = [];
  const bundled = new Map();
  for (const e of byPair.values()) {
    const group = groupOf.get(e.from);
    const sig =
      group && groupOf.get(e.to) !== group ? `${group}\u0000${e.to}\u0000${e.kinds.join()}\u0000${e.label || ''}` : '';
    if (!sig) {
      out.push(e);
      continue;
    }
    const b = bundled.get(sig) || { ...e, from: group, sources: [] };
    b.sources.push(e.from);
    bundled.set(sig, b);
  }
  for (const b of bundled.values()) {
    if (b.sources.length === members.get(b.from).length && b.sources.length > 1) out.push(b);
    else for (const s of b.sources) out.push({ from: s, to: b.to, kinds: b.kinds, label: b.label });
  }
  return out.map((e, i) => ({ ...e, id: `e${i}`, kind: e.kinds.includes('next') ? 'next' : e.kinds[0] }));
}

/** The ELK graph of `map`; `badgesOf(node)` → the live badges to draw on it. */
export function elkGraph(map, badgesOf, measure) {
  const shapes = new Map(map.nodes.map((n) => [n.id, shape(n, badgesOf(n), measure)]));
  const groupOf = new Map();
  const members = new Map();
  for (const g of GROUPS) {
    const ids = map.nodes.filter((n) => n.kind === g.kind).map((n) => n.id);
    if (ids.length < 2) continue;
    members.set(g.id, ids);
    for (const id of ids) groupOf.set(id, g.id);
  }
  const leaf = (n) => ({ id: n.id, width: shapes.get(n.id).width, height: shapes.get(n.id).height });
  const children = [];
  for (const n of map.nodes) {
    const g = groupOf.get(n.id);
    if (!g) children.push(leaf(n));
    else if (!children.some((c) => c.id === g)) {
      const def = GROUPS.find((x) => x.id === g);
      children.push({
        id: g,
        layoutOptions: GROUP_LAYOUT,
        labels: [{ text: def.label }],
        children: map.nodes.filter((m) => groupOf.get(m.id) === g).map(leaf),
      });
    }
  }
  const edges = drawnEdges(map, groupOf, members);
  const elkEdge = (e) => ({
    id: e.id,
    sources: [e.from],
    targets: [e.to],
    labels: e.label
      ? [
          {
            text: e.label,
            width: measure(e.label, 'edge') + 10,
            height: 16,
            layoutOptions: { 'elk.edgeLabels.placement': 'CENTER' },
          },
        ]
      : [],
  });
  // The flow is what closure is reached through; the rest (systems with the rules that govern them,
  // nodes nothing connects) is laid out on its own below it, so a rule sits beside its system.
  const top = (id) => groupOf.get(id) || id;
  const flowIds = connected(
    top(map.nodes.find((n) => n.kind === 'closure')?.id ?? children[0]?.id),
    edges.map((e) => [top(e.from), top(e.to)]),
  );
  const inFlow = (e) => flowIds.has(top(e.from));
  const rest = children.filter((c) => !flowIds.has(c.id));
  const parts = [
    {
      id: 'part:flow',
      layoutOptions: FLOW_LAYOUT,
      children: children.filter((c) => flowIds.has(c.id)),
      edges: edges.filter(inFlow).map(elkEdge),
    },
  ];
  if (rest.length) parts.push(restPart(map, rest, edges.filter((e) => !inFlow(e)).map(elkEdge)));
  return { shapes, edges, graph: { id: 'root', layoutOptions: LAYOUT, children: parts } };
}

/**
 * What the flow does not reach, below it: the systems with the rules that govern them, the exception
 * codes no step raises and the objects, each in a row of its own.
 */
function restPart(map, rest, edges) {
  const kind = new Map(map.nodes.map((n) => [n.id, n.kind]));
  const codes = rest.filter((c) => kind.get(c.id) === 'exception');
  const boundary = rest.filter((c) => !c.children && kind.get(c.id) !== 'exception');
  const row = (id, label, children) => ({ id, labels: [{ text: label }], layoutOptions: ROW_LAYOUT, children });
  return {
    id: 'part:rest',
    layoutOptions: REST_LAYOUT,
    children: [
      ...(boundary.length
        ? [
            {
              ...row('group:boundary', 'Systems, and the rules that govern them', boundary),
              layoutOptions: BOUNDARY_LAYOUT,
              edges,
            },
          ]
        : []),
      ...(codes.length ? [row('group:codes', 'Exception codes', codes)] : []),
      ...rest.filter((c) => c.children).map((g) => row(g.id, g.labels[0].text, g.children)),
    ],
  };
}

/** The ids reachable from `start` along `pairs`, either way. */
function connected(start, pairs) {
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

/** Lays out `map` with `elk` (an ELK instance): boxes for nodes and groups, polylines for edges, the whole size. */
export async function layoutMap(elk, map, badgesOf, measure) {
  const { shapes, edges, graph } = elkGraph(map, badgesOf, measure);
  const laid = await elk.layout(graph);
  const boxes = [];
  const groups = [];
  const walk = (n) => {
    for (const c of n.children || []) {
      if (c.children) {
        if (c.labels)
          groups.push({ id: c.id, label: c.labels[0].text, x: c.x, y: c.y, width: c.width, height: c.height });
        walk(c);
      } else boxes.push({ id: c.id, x: c.x, y: c.y, width: c.width, height: c.height, ...shapes.get(c.id) });
    }
  };
  walk(laid);
  const kindOf = new Map(edges.map((e) => [e.id, e]));
  const lines = [];
  const collect = (n) => {
    for (const e of n.edges || []) {
      const drawn = kindOf.get(e.id);
      const points = (e.sections || []).flatMap((s) => [s.startPoint, ...(s.bendPoints || []), s.endPoint]);
      const label = e.labels && e.labels[0];
      lines.push({
        ...drawn,
        points,
        labelBox: label ? { x: label.x, y: label.y, width: label.width, height: label.height } : null,
      });
    }
    for (const c of n.children || []) collect(c);
  };
  collect(laid);
  return { width: laid.width, height: laid.height, boxes, groups, lines };
}
