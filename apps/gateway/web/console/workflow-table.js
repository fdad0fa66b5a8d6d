// @ts-check
/* Beside and below the workflow map: the failure points (live, or as the definition declares them),
 * the node a person selected, and every node as a table with its live numbers. */
import { $, h } from '../shared/dom.js';
import { details } from './parts.js';
import { detailText, numbersText } from './workflow-numbers.js';

/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').LiveWorkflowMap} LiveWorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').MapEdge} MapEdge */
/** @typedef {import('../shared/dom.js').Child} Child */

/** @type {(map: WorkflowMap, id: string) => string} */
const labelOf = (map, id) => map.nodes.find((n) => n.id === id)?.label ?? id;

/**
 * Focuses a node of the drawing (from a failure point or the table), as a click on it would select it.
 * @param {string} id
 */
function focusNode(id) {
  const g = document.querySelector(`#map-figure g.node[data-id="${CSS.escape(id)}"]`);
  if (!(g instanceof SVGGElement)) return;
  g.focus();
  g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
}

/** @type {(map: WorkflowMap, id: string) => HTMLButtonElement} */
const nodeButton = (map, id) =>
  h('button', { type: 'button', class: 'link', onclick: () => focusNode(id), text: labelOf(map, id) });

/**
 * Failure points: the live ones ranked with the declared notes beside them, or the declared ones alone.
 * @param {WorkflowMap} map
 * @param {LiveWorkflowMap | undefined} live
 * @returns {HTMLElement[]}
 */
function failurePoints(map, live) {
  if (live) {
    const points = live.failurePoints || [];
    return [
      h('h4', { text: 'Where work stalls or fails' }),
      points.length
        ? h(
            'ol',
            { class: 'failure-points ranked' },
            points.map((p, i) =>
              h(
                'li',
                {},
                h('span', { class: 'rank-tag', text: `#${i + 1}` }),
                nodeButton(map, p.at),
                Object.entries(p.counts || { [p.measure]: p.value }).map(([m, n]) =>
                  h('span', { class: 'badge stop', text: `${m} ${n}` }),
                ),
                h('p', { text: p.message }),
                (p.known || []).map((k) => h('p', { class: 'muted note', text: `Known: ${k}` })),
              ),
            ),
          )
        : h('p', { class: 'empty', text: 'Nothing stalls or fails in this window.' }),
      ...declared(
        map,
        map.knownFailures.filter((k) => !points.some((p) => p.at === k.at)),
        'Declared, not seen in this window',
      ),
    ];
  }
  return map.knownFailures.length
    ? declared(map, map.knownFailures, 'Known failure points')
    : [h('h4', { text: 'Known failure points' }), h('p', { class: 'empty', text: 'The definition declares none.' })];
}

/**
 * The definition's `knownFailures`, each with the node it is declared at.
 * @param {WorkflowMap} map
 * @param {WorkflowMap['knownFailures']} known
 * @param {string} title
 */
function declared(map, known, title) {
  if (!known.length) return [];
  return [
    h('h4', { text: title }),
    h(
      'ul',
      { class: 'failure-points' },
      known.map((k) => h('li', {}, nodeButton(map, k.at), h('p', { text: k.note }))),
    ),
  ];
}

/**
 * The panel beside the map: failure points, then the selected node.
 * @param {WorkflowMap} map
 * @param {LiveWorkflowMap | undefined} live
 */
export function sidePanel(map, live) {
  return h(
    'aside',
    { class: 'map-aside', 'aria-label': 'Failure points and the selected node' },
    failurePoints(map, live),
    h(
      'div',
      { id: 'map-node', 'aria-live': 'polite' },
      h('p', { class: 'muted note', text: 'Select a node to see it here.' }),
    ),
  );
}

/**
 * Shows node `id` in the side panel: what it is, who owns it, its numbers and what it connects to.
 * @param {WorkflowMap} map
 * @param {LiveWorkflowMap | undefined} live
 * @param {string} id
 */
export function showNode(map, live, id) {
  const node = map.nodes.find((n) => n.id === id);
  if (!node) return;
  const numbers = live?.numbers?.[id];
  const out = map.edges.filter((e) => e.from === id);
  const into = map.edges.filter((e) => e.to === id);
  /** @type {(e: MapEdge, other: string) => string} */
  const edgeText = (e, other) => `${e.kind.replace('_', ' ')} ${labelOf(map, other)}${e.label ? ` (${e.label})` : ''}`;
  const known = map.knownFailures.filter((k) => k.at === id).map((k) => k.note);
  $('#map-node').replaceChildren(
    h('h4', {}, `${node.kind}: ${node.label}`),
    details([
      ['Id', h('code', { text: node.id })],
      ['Owner', node.owner],
      ['Detail', detailText(node.detail)],
      ['Live', numbers ? numbersText(numbers) : null],
      [
        'To',
        out.length
          ? h(
              'ul',
              { class: 'facts' },
              out.map((e) => h('li', { text: edgeText(e, e.to) })),
            )
          : null,
      ],
      [
        'From',
        into.length
          ? h(
              'ul',
              { class: 'facts' },
              into.map((e) => h('li', { text: edgeText(e, e.from) })),
            )
          : null,
      ],
      ['Known failures', known.length ? known.join(' · ') : null],
    ]),
  );
}

/**
 * Every node of the map as a table (the map's order), with live numbers when there are some.
 * @param {WorkflowMap} map
 * @param {LiveWorkflowMap | undefined} live
 */
export function nodeTable(map, live) {
  const columns = ['Id', 'Kind', 'Label', 'Owner', 'Detail', ...(live ? ['Live numbers'] : [])];
  /** @type {(title: string, content: Child) => HTMLTableCellElement} */
  const cell = (title, content) => h('td', { role: 'cell', 'data-label': title }, content);
  return h(
    'div',
    { class: 'table node-table' },
    h(
      'table',
      { role: 'table', 'aria-label': `Nodes of ${map.jobType} v${map.version}` },
      h(
        'thead',
        { role: 'rowgroup' },
        h(
          'tr',
          { role: 'row' },
          columns.map((c) => h('th', { role: 'columnheader', scope: 'col', text: c })),
        ),
      ),
      h(
        'tbody',
        { role: 'rowgroup' },
        map.nodes.map((n) =>
          h(
            'tr',
            { role: 'row', id: `node-row-${n.id}` },
            cell('Id', h('code', { text: n.id })),
            cell('Kind', n.kind),
            cell('Label', n.label),
            cell('Owner', n.owner || ''),
            cell('Detail', detailText(n.detail)),
            live ? cell('Live numbers', numbersText(live.numbers[n.id])) : null,
          ),
        ),
      ),
    ),
  );
}
