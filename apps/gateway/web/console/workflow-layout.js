// @ts-check
/* The workflow map as a graph to lay out (ELK's layered algorithm, left to right), and the laid-out
 * result as boxes and lines in one coordinate space. Pure: text is measured by the `measure`
 * function it is given, ELK is the instance it is given, so the page and a test use the same code. */

/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').MapNode} MapNode */
/** @typedef {import('@workgate/contracts/workflow-map').MapEdgeKind} MapEdgeKind */
/** @typedef {import('elkjs/lib/elk-api').ELK} Elk */
/** @typedef {import('elkjs/lib/elk-api').ElkNode} ElkNode */
/** @typedef {import('elkjs/lib/elk-api').ElkExtendedEdge} ElkExtendedEdge */
/** @typedef {import('./map-types').Badge} Badge */
/** @typedef {import('./map-types').Measure} Measure */
/** @typedef {import('./map-types').Shape} Shape */
/** @typedef {import('./map-types').DrawnEdge} DrawnEdge */
/** @typedef {import('./map-types').Rect} Rect */
/** @typedef {import('./map-types').Box} Box */
/** @typedef {import('./map-types').GroupBox} GroupBox */
/** @typedef {import('./map-types').Line} Line */
/** @typedef {import('./map-types').Laid} Laid */

import { connected, drawnEdges } from './workflow-edges.js';
import { shape } from './workflow-shape.js';

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

/**
 * The ELK graph of `map`; `badgesOf(node)` → the live badges to draw on it.
 * @param {WorkflowMap} map
 * @param {(node: MapNode) => Badge[]} badgesOf
 * @param {Measure} measure
 */
export function elkGraph(map, badgesOf, measure) {
  /** @type {Map<string, Shape>} */
  const shapes = new Map(map.nodes.map((n) => [n.id, shape(n, badgesOf(n), measure)]));
  /** @type {Map<string, string>} */
  const groupOf = new Map();
  /** @type {Map<string, string[]>} */
  const members = new Map();
  for (const g of GROUPS) {
    const ids = map.nodes.filter((n) => n.kind === g.kind).map((n) => n.id);
    if (ids.length < 2) continue;
    members.set(g.id, ids);
    for (const id of ids) groupOf.set(id, g.id);
  }
  /** @type {(n: MapNode) => ElkNode} */
  const leaf = (n) => ({ id: n.id, width: shapes.get(n.id)?.width, height: shapes.get(n.id)?.height });
  /** @type {ElkNode[]} */
  const children = [];
  for (const n of map.nodes) {
    const g = groupOf.get(n.id);
    if (!g) children.push(leaf(n));
    else if (!children.some((c) => c.id === g)) {
      children.push({
        id: g,
        layoutOptions: GROUP_LAYOUT,
        labels: [{ text: GROUPS.find((x) => x.id === g)?.label }],
        children: map.nodes.filter((m) => groupOf.get(m.id) === g).map(leaf),
      });
    }
  }
  const edges = drawnEdges(map, groupOf, members);
  /** @type {(e: DrawnEdge) => ElkExtendedEdge} */
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
  /** @param {string} id */
  const top = (id) => groupOf.get(id) || id;
  const start = map.nodes.find((n) => n.kind === 'closure')?.id ?? children[0]?.id;
  const flowIds = connected(
    start === undefined ? '' : top(start),
    edges.map((e) => [top(e.from), top(e.to)]),
  );
  /** @param {DrawnEdge} e */
  const inFlow = (e) => flowIds.has(top(e.from));
  const rest = children.filter((c) => !flowIds.has(c.id));
  /** @type {ElkNode[]} */
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
 * @param {WorkflowMap} map
 * @param {ElkNode[]} rest
 * @param {ElkExtendedEdge[]} edges
 * @returns {ElkNode}
 */
function restPart(map, rest, edges) {
  const kind = new Map(map.nodes.map((n) => [n.id, n.kind]));
  const codes = rest.filter((c) => kind.get(c.id) === 'exception');
  const boundary = rest.filter((c) => !c.children && kind.get(c.id) !== 'exception');
  /** @type {(id: string, label: string | undefined, children: ElkNode[] | undefined) => ElkNode} */
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
      ...rest.filter((c) => c.children).map((g) => row(g.id, g.labels?.[0]?.text, g.children)),
    ],
  };
}

/**
 * Where ELK put a shape (0 for what it left out).
 * @param {import('elkjs/lib/elk-api').ElkShape} s
 * @returns {Rect}
 */
const rectOf = (s) => ({ x: s.x ?? 0, y: s.y ?? 0, width: s.width ?? 0, height: s.height ?? 0 });

/**
 * Lays out `map` with `elk` (an ELK instance): boxes for nodes and groups, polylines for edges, the whole size.
 * @param {Elk} elk
 * @param {WorkflowMap} map
 * @param {(node: MapNode) => Badge[]} badgesOf
 * @param {Measure} measure
 * @returns {Promise<Laid>}
 */
export async function layoutMap(elk, map, badgesOf, measure) {
  const { shapes, edges, graph } = elkGraph(map, badgesOf, measure);
  /** @type {ElkNode} */
  const laid = await elk.layout(graph);
  /** @type {Box[]} */
  const boxes = [];
  /** @type {GroupBox[]} */
  const groups = [];
  /** @param {ElkNode} n */
  const walk = (n) => {
    for (const c of n.children || []) {
      const shaped = shapes.get(c.id);
      if (c.children) {
        const label = c.labels?.[0]?.text;
        if (label !== undefined) groups.push({ id: c.id, label, ...rectOf(c) });
        walk(c);
      } else if (shaped) boxes.push({ id: c.id, ...rectOf(c), ...shaped });
    }
  };
  walk(laid);
  const kindOf = new Map(edges.map((e) => [e.id, e]));
  /** @type {Line[]} */
  const lines = [];
  /** @param {ElkNode} n */
  const collect = (n) => {
    for (const e of n.edges || []) {
      const drawn = kindOf.get(e.id);
      if (!drawn) continue;
      const points = (e.sections || []).flatMap((s) => [s.startPoint, ...(s.bendPoints || []), s.endPoint]);
      const label = e.labels && e.labels[0];
      lines.push({ ...drawn, points, labelBox: label ? rectOf(label) : null });
    }
    for (const c of n.children || []) collect(c);
  };
  collect(laid);
  return { width: laid.width ?? 0, height: laid.height ?? 0, boxes, groups, lines };
}
