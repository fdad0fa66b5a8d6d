// @ts-check
/* The pieces of the workflow map's SVG that are not nodes or edges: making an element, the arrow
 * heads, the edge styles and their legend, and a group's box. */

/** @typedef {import('./map-types').GroupBox} GroupBox */
/** @typedef {import('@workgate/contracts/workflow-map').MapEdgeKind} MapEdgeKind */

export const NS = 'http://www.w3.org/2000/svg';

/**
 * How each edge kind is drawn; a handoff (an owner changes along it) is amber and labelled `from → to`.
 * @type {Record<MapEdgeKind, { stroke: string, width: number, dash: string | null, title: string }>}
 */
export const EDGE_STYLE = {
  next: { stroke: '#1d2433', width: 1.8, dash: null, title: 'next: step and stage order' },
  governs: { stroke: '#2457c5', width: 1.4, dash: '6 4', title: 'governs: rule → system it decides' },
  may_raise: { stroke: '#a7afbd', width: 1.2, dash: '2 3', title: 'may raise: step → exception code' },
  handoff: { stroke: '#b86200', width: 1.8, dash: null, title: 'handoff: the owner changes (from → to)' },
};
/**
 * An SVG element with attributes (`null` and `undefined` left out) and children.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number | null | undefined>} [attrs]
 * @param {...(SVGElement | SVGElement[] | null | undefined)} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) e.append(c);
  return e;
}
/** @type {(attrs: Record<string, string | number>, content: string) => SVGTextElement} */
export const text = (attrs, content) => {
  const t = el('text', attrs);
  t.textContent = content;
  return t;
};

/**
 * @param {string} id
 * @param {string} colour
 */
export function arrowMarker(id, colour) {
  return el(
    'marker',
    { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }),
  );
}

/** @param {GroupBox} box */
export function groupOf(box) {
  return el(
    'g',
    { class: 'group', 'aria-hidden': 'true' },
    el('rect', {
      x: box.x,
      y: box.y,
      width: box.width,
      height: box.height,
      rx: 10,
      fill: '#f3f5f9',
      stroke: '#d9dee7',
    }),
    text({ x: box.x + 12, y: box.y + 19, 'font-size': 12, 'font-weight': 600, fill: '#5b6474' }, box.label),
  );
}

/**
 * The legend: one sample line per edge kind, drawn in the SVG so a download carries it.
 * @param {number} y
 */
export function legend(y) {
  const items = Object.entries(EDGE_STYLE);
  return el(
    'g',
    { class: 'legend', transform: `translate(16,${y})`, 'aria-label': 'Legend', role: 'group' },
    ...items.map(([kind, s], i) =>
      el(
        'g',
        { transform: `translate(${i * 290},0)` },
        el('path', {
          d: 'M0,8 L40,8',
          stroke: s.stroke,
          'stroke-width': s.width,
          'stroke-dasharray': s.dash,
          'marker-end': `url(#arrow-${kind})`,
        }),
        text({ x: 50, y: 12, 'font-size': 12, fill: '#1d2433' }, s.title),
      ),
    ),
  );
}
