// @ts-check
/* The laid-out workflow map drawn as SVG: each node a focusable group named by its kind and label,
 * edges styled by kind (next, governs, may raise, handoff), a legend inside the drawing. Colours and
 * lines are presentation attributes, so the drawing is self-contained: the download is this SVG. */
import { arrowMarker, EDGE_STYLE, el, groupOf, legend, NS, text } from './workflow-svg-parts.js';
import { NODE } from './workflow-shape.js';

/** @typedef {import('./map-types').Laid} Laid */
/** @typedef {import('./map-types').Box} Box */
/** @typedef {import('./map-types').GroupBox} GroupBox */
/** @typedef {import('./map-types').Line} Line */
/** @typedef {import('./map-types').Rank} Rank */
/** @typedef {import('./map-types').Tone} Tone */
/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').MapNode} MapNode */
/** @typedef {import('@workgate/contracts/workflow-map').MapEdgeKind} MapEdgeKind */

export const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";
export const FONTS = {
  kind: `11px ${FONT}`,
  label: `600 13px ${FONT}`,
  badge: `600 11px ${FONT}`,
  edge: `11px ${FONT}`,
};

/**
 * Fill and stroke of each node kind: a tint of what the kind does (decides, stops, raises, closes).
 * @type {Record<string, [string, string]>}
 */
const KIND_STYLE = {
  input: ['#ffffff', '#8a94a6'],
  object: ['#ffffff', '#8a94a6'],
  system: ['#eef1f6', '#6b7689'],
  step: ['#ffffff', '#2457c5'],
  gate: ['#fdf3e1', '#9a5b00'],
  stop: ['#fbe6e4', '#b3261e'],
  run: ['#e3f3e9', '#1f7a45'],
  exception: ['#fff7f6', '#c0584f'],
  'break-glass': ['#fbe6e4', '#b3261e'],
  stage: ['#ffffff', '#2457c5'],
  overlay: ['#f1ecfb', '#6a4bb3'],
  delegation: ['#e6f3f5', '#1d6f7f'],
  closure: ['#e3f3e9', '#1f7a45'],
};
/** @type {Record<Tone, [string, string]>} */
const BADGE_TONE = {
  bad: ['#fbe3e1', '#a1221b'],
  warn: ['#fdf0da', '#8a5100'],
  ok: ['#dff1e6', '#1a6b3c'],
  plain: ['#e8ecf3', '#1d2433'],
};

const HANDOFF = EDGE_STYLE.handoff.stroke;

/**
 * The line of one edge, its arrow and, for a handoff, its label.
 * @param {Line} line
 */
function edgeOf(line) {
  const style = EDGE_STYLE[line.kind];
  const handoff = line.kinds.includes('handoff');
  const colour = handoff ? HANDOFF : style.stroke;
  const d = line.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  const g = el('g', {
    class: `edge ${line.kinds.join(' ')}`,
    'data-from': (line.sources || [line.from]).join(' '),
    'data-to': line.to,
  });
  g.append(
    el('path', {
      d,
      fill: 'none',
      stroke: colour,
      'stroke-width': style.width,
      'stroke-dasharray': style.dash,
      'marker-end': `url(#arrow-${handoff ? 'handoff' : line.kind})`,
      opacity: line.kind === 'may_raise' && !handoff ? 0.9 : 1,
    }),
  );
  if (line.labelBox && line.label) {
    const b = line.labelBox;
    g.append(
      el('rect', {
        x: b.x,
        y: b.y,
        width: b.width,
        height: b.height,
        rx: 8,
        fill: '#fff4e5',
        stroke: HANDOFF,
        'stroke-width': 0.8,
      }),
      text(
        { x: b.x + b.width / 2, y: b.y + 12, 'text-anchor': 'middle', fill: '#7a4100', 'font-size': 11 },
        line.label,
      ),
    );
  }
  return g;
}

/**
 * One node: a focusable group whose accessible name is `<kind>: <label>`, its title the details.
 * @param {Box} box
 * @param {MapNode} node
 * @param {(node: MapNode) => string} describe
 * @param {Rank | undefined} rank
 */
function nodeOf(box, node, describe, rank) {
  const [fill, stroke] = KIND_STYLE[node.kind] || KIND_STYLE.input;
  const g = el('g', {
    class: `node ${node.kind}`,
    tabindex: 0,
    role: 'button',
    'aria-label': `${node.kind}: ${node.label}`,
    'data-id': node.id,
    transform: `translate(${box.x},${box.y})`,
  });
  const title = el('title');
  title.textContent = describe(node);
  const dashed = node.kind === 'object' || node.kind === 'exception';
  const round = node.kind === 'step' || node.kind === 'stage' ? 8 : node.kind === 'system' ? 2 : 5;
  g.append(
    title,
    el('rect', {
      class: 'focus-ring',
      x: -4,
      y: -4,
      width: box.width + 8,
      height: box.height + 8,
      rx: round + 3,
      fill: 'none',
    }),
    el('rect', {
      width: box.width,
      height: box.height,
      rx: round,
      fill,
      stroke,
      'stroke-width': node.kind === 'step' || node.kind === 'stage' || node.kind === 'break-glass' ? 2 : 1.2,
      'stroke-dasharray': dashed ? '4 3' : null,
    }),
    text({ x: NODE.padX, y: NODE.padY + 10, 'font-size': 11, fill: '#5b6474' }, box.kindText),
    ...box.lines.map((l, i) =>
      text(
        {
          x: NODE.padX,
          y: NODE.padY + NODE.kindLine + 13 + i * NODE.labelLine,
          'font-size': 13,
          'font-weight': 600,
          fill: '#1d2433',
        },
        l,
      ),
    ),
  );
  if (rank) g.append(rankTag(box, rank));
  const top = NODE.padY + NODE.kindLine + box.lines.length * NODE.labelLine + 3;
  for (const b of box.badges) {
    const [bg, fg] = BADGE_TONE[b.tone] || BADGE_TONE.plain;
    g.append(
      el(
        'g',
        { class: 'badge', transform: `translate(${NODE.padX + b.x},${top + b.row * NODE.badgeLine})` },
        el('rect', { width: b.width, height: 16, rx: 8, fill: bg }),
        text({ x: b.width / 2, y: 12, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 600, fill: fg }, b.text),
      ),
    );
  }
  return g;
}

/** What a failure point's tag reads: its rank and what ranks it (`#1 blocked`), never a bare number a step's order could be read into. */
/** @param {Rank} rank */
export const rankText = (rank) => `#${rank.rank} ${rank.point.measure}`;

/**
 * A failure point's tag: a dark flag above the node's top edge, its rank and measure, the sentence
 * of the list beside the map as its tooltip.
 * @param {Box} box
 * @param {Rank} rank
 */
function rankTag(box, rank) {
  const label = rankText(rank);
  const width = Math.ceil(label.length * 6.6 + 14);
  const tip = el('title');
  tip.textContent = `Failure point ${rank.rank} of ${rank.of}: ${rank.point.message}`;
  return el(
    'g',
    { class: 'rank', 'data-rank': rank.rank, transform: `translate(${box.width - width + 6},-10)` },
    tip,
    el('rect', { width, height: 18, rx: 3, fill: '#3b1f5c', stroke: '#ffffff', 'stroke-width': 1.5 }),
    text({ x: width / 2, y: 13, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 700, fill: '#ffffff' }, label),
  );
}

/**
 * The map `laid` (from layoutMap) as an `<svg>`: groups, then edges, then nodes in reading order
 * (left to right, top to bottom) so the keyboard walks the map the way the eye does. A node that is
 * a failure point carries a tag with its rank (`rankOf(id)`: `{rank, of, point}`), its place in the
 * list beside the map.
 * @param {Laid} laid
 * @param {WorkflowMap} map
 * @param {(node: MapNode) => string} describe
 * @param {(id: string) => Rank | undefined} [rankOf]
 */
export function drawMap(laid, map, describe, rankOf = () => undefined) {
  const legendHeight = 34;
  const width = Math.max(laid.width, 1180);
  const height = laid.height + legendHeight;
  const byId = new Map(map.nodes.map((n) => [n.id, n]));
  const svg = el('svg', {
    xmlns: NS,
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width),
    height: Math.ceil(height),
    role: 'group',
    'aria-label': `Map of ${map.title} (${map.jobType} v${map.version})`,
    'font-family': FONT,
  });
  const desc = el('desc');
  desc.textContent = `${map.jobType} v${map.version}, sha256 ${map.sha256}`;
  svg.append(
    desc,
    el('defs', {}, ...Object.entries(EDGE_STYLE).map(([k, s]) => arrowMarker(`arrow-${k}`, s.stroke))),
    el('rect', { width: Math.ceil(width), height: Math.ceil(height), fill: '#ffffff' }),
    legend(10),
  );
  const body = el('g', { transform: `translate(0,${legendHeight})` });
  body.append(...laid.groups.map(groupOf), ...laid.lines.map(edgeOf));
  const reading = [...laid.boxes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (const b of reading) {
    const node = byId.get(b.id);
    if (node) body.append(nodeOf(b, node, describe, rankOf(b.id)));
  }
  svg.append(body);
  return svg;
}

/**
 * The drawn SVG as a file: the same markup, standalone.
 * @param {SVGSVGElement} svg
 */
export function svgFile(svg) {
  const copy = svg.cloneNode(true);
  if (!(copy instanceof SVGSVGElement)) throw new Error('The copy of the drawing is not an SVG element.');
  copy.querySelectorAll('.focus-ring').forEach((r) => r.remove());
  copy.querySelectorAll('[tabindex]').forEach((n) => n.removeAttribute('tabindex'));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}
