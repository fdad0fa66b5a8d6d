// @ts-check
/* The console's workflows page: the job types and their versions, and a version's map drawn left to
 * right (ELK's layered layout, in the page), with the live numbers of the current version as badges
 * for those who may read them, the failure points beside it, and the same nodes as a table. */
import { api, ApiError, messageOf } from '../shared/api.js';
import { $, $as, download, fieldOf, h } from '../shared/dom.js';
import { enc, tableOf, when } from './parts.js';
import { session } from './session.js';
import { draftsLine } from './workflow-drafts.js';
import { patternCell, readExtended } from './workflow-patterns.js';
import { layoutMap } from './workflow-layout.js';
import { badgesOf, describe } from './workflow-numbers.js';
import { layoutEngine, measure } from './workflow-engine.js';
import { drawMap, svgFile } from './workflow-svg.js';
import { nodeTable, showNode, sidePanel } from './workflow-table.js';
import { raisedAtText, raisingSteps, withRaisingSteps } from './workflow-raised.js';
import { viewport, zoomBar } from './workflow-zoom.js';

/** @typedef {import('@workgate/contracts/policy').WorkflowSummary} WorkflowSummary */
/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@workgate/contracts/workflow-map').LiveWorkflowMap} LiveWorkflowMap */
/** The live map of the current version, or why there is none. @typedef {{ map: LiveWorkflowMap, why?: undefined } | { map?: undefined, why: string }} Live */

/** `YYYY-MM-DD` from a date input → the instant the live map's window takes (`to` is the end of that day). @param {string} d */
const dayStart = (d) => `${d}T00:00:00.000Z`;
/** @param {string} d */
const dayEnd = (d) => new Date(Date.parse(dayStart(d)) + 86_400_000).toISOString();

/**
 * @param {WorkflowSummary[]} list
 * @param {string | undefined} jobType
 * @param {number | undefined} version
 * @param {URLSearchParams} params
 */
function fillPicker(list, jobType, version, params) {
  const form = $as('#workflow-pick', HTMLFormElement);
  const jobs = fieldOf(form, 'jobType', HTMLSelectElement);
  jobs.replaceChildren(...list.map((w) => new Option(`${w.title} (${w.jobType})`, w.jobType)));
  jobs.value = jobType || '';
  const versions = () => {
    const w = list.find((x) => x.jobType === jobs.value);
    fieldOf(form, 'version', HTMLSelectElement).replaceChildren(
      ...(w
        ? [...w.versions]
            .reverse()
            .map(
              (v) =>
                new Option(`v${v.version}${v.version === w.currentVersion ? ' (current)' : ''}`, String(v.version)),
            )
        : []),
    );
  };
  jobs.onchange = versions;
  versions();
  if (version) fieldOf(form, 'version', HTMLSelectElement).value = String(version);
  fieldOf(form, 'from', HTMLInputElement).value = params.get('from') || '';
  fieldOf(form, 'to', HTMLInputElement).value = params.get('to') || '';
}

/** @type {() => Promise<WorkflowSummary[]>} */
const readWorkflows = () => api('GET', '/v1/workflows');
/** @type {(jobType: string, version: number | undefined) => Promise<WorkflowMap>} */
const readMap = (jobType, version) => api('GET', `/v1/workflows/${enc(jobType)}/versions/${enc(version ?? '')}/map`);
/** @type {(path: string) => Promise<LiveWorkflowMap>} */
const readLiveMap = (path) => api('GET', path);

/**
 * Shows the list of workflows, or `jobType`'s map (the version and window `params` name) or its draft; answers the status line.
 * @param {string | undefined} jobType
 * @param {URLSearchParams} params
 */
export async function showWorkflows(jobType, params) {
  const list = (await readWorkflows()).sort((a, b) => a.jobType.localeCompare(b.jobType));
  const target = $('#workflows');
  if (!jobType) {
    fillPicker(list, list[0]?.jobType, undefined, params);
    target.replaceChildren(workflowList(list, await readExtended()));
    return `${list.length} workflow${list.length === 1 ? '' : 's'}.`;
  }
  const summary = list.find((w) => w.jobType === jobType);
  const version = Number(params.get('version')) || summary?.currentVersion;
  fillPicker(list, jobType, version, params);
  // The designer (and the editor it loads) only when a draft is opened.
  const draft = params.get('draft');
  if (draft) return (await import('./designer.js')).showDesigner(jobType, draft, summary);
  const map = await readMap(jobType, version);
  /** @type {Live} */
  const live = summary && version === summary.currentVersion ? await liveMap(jobType, params) : { why: 'not-current' };
  const shown = live.map || map;
  const view = mapView(shown, live, summary);
  target.replaceChildren(...view.parts);
  await view.draw();
  return `${map.title}, ${jobType} v${version}: ${map.nodes.length} nodes${live.map ? ', with live numbers' : ''}.`;
}

/**
 * The live map of the current version, or why there is none: the API refuses it to those who may not read it (403).
 * @param {string} jobType
 * @param {URLSearchParams} params
 * @returns {Promise<Live>}
 */
async function liveMap(jobType, params) {
  const q = new URLSearchParams();
  const from = params.get('from');
  const to = params.get('to');
  if (from) q.set('from', dayStart(from));
  if (to) q.set('to', dayEnd(to));
  try {
    return { map: await readLiveMap(`/v1/workflows/${enc(jobType)}/map${q.size ? `?${q}` : ''}`) };
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return { why: error.message };
    throw error;
  }
}

/**
 * @param {WorkflowSummary[]} list
 * @param {Map<string, import('./workflow-patterns.js').Extended>} extended
 */
function workflowList(list, extended) {
  return tableOf(
    [
      { title: 'Job type', cell: (w) => h('a', { href: `#/workflows/${enc(w.jobType)}`, text: w.jobType }) },
      { title: 'Title', cell: (w) => w.title },
      { title: 'Owner', cell: (w) => w.owner },
      { title: 'Pattern', cell: (w) => patternCell(extended.get(w.jobType)) },
      {
        title: 'Versions',
        cell: (w) =>
          h(
            'span',
            { class: 'versions' },
            [...w.versions].reverse().map((v) =>
              h('a', {
                href: `#/workflows/${enc(w.jobType)}?version=${v.version}`,
                title: `published ${when(v.publishedAt)}`,
                text: `v${v.version}${v.version === w.currentVersion ? ' (current)' : ''}`,
              }),
            ),
          ),
      },
    ],
    list,
    'No workflow is published.',
  );
}

/**
 * @param {WorkflowMap} map
 * @param {Live} live
 */
function liveNote(map, live) {
  if (live.map) {
    const w = live.map.window;
    const span =
      w.from || w.to
        ? `opened ${w.from ? `from ${when(w.from)} ` : ''}${w.to ? `until ${when(w.to)}` : ''}`
        : 'of every time';
    return `Live numbers for work orders ${span.trim()}, as of ${when(w.asOf)}: badges on the nodes, every number in the table.`;
  }
  if (live.why === 'not-current')
    return `Version ${map.version} is not the current version: live numbers are for the current version only.`;
  return `Without live numbers: ${live.why}`;
}

/**
 * @param {WorkflowMap} map
 * @param {Live} live
 * @param {WorkflowSummary | undefined} summary
 */
function mapView(map, live, summary) {
  const numbers = (live.map && live.map.numbers) || {};
  const figure = h('div', {
    class: 'map-figure',
    id: 'map-figure',
    tabindex: 0,
    'aria-label': 'Workflow map: + and - zoom, 0 fits, arrow keys pan',
  });
  const { controls, toolbar } = zoomBar((live.map?.failurePoints || []).length > 0);
  const aside = sidePanel(map, live.map);
  const name = `${map.jobType}-v${map.version}`;
  const svgButton = h('button', { type: 'button', class: 'quiet', text: 'Download SVG', disabled: true });
  const parts = [
    h(
      'div',
      { class: 'heading' },
      h('h3', {}, map.title, h('span', { class: 'muted', text: ` · ${map.jobType} v${map.version}` })),
      h(
        'div',
        { class: 'actions' },
        session.me?.roles.includes('admin') && summary
          ? h('a', { class: 'button', href: `#/workflows/${enc(map.jobType)}?draft=new`, text: 'New draft' })
          : null,
        h('a', { href: `#/review/${enc(map.jobType)}`, text: 'Monthly review' }),
        svgButton,
        h('button', {
          type: 'button',
          class: 'quiet',
          text: 'Download JSON',
          onclick: () =>
            download(
              new Blob([JSON.stringify(live.map || map, null, 2)], { type: 'application/json' }),
              `${name}-map.json`,
            ),
        }),
      ),
    ),
    h(
      'p',
      { class: 'muted note' },
      `Owner ${map.owner} · sha256 ${map.sha256.slice(0, 16)}…`,
      summary ? ` · current version v${summary.currentVersion}` : '',
    ),
    h('p', { class: 'muted note', id: 'map-live-note', text: liveNote(map, live) }),
    draftsLine(map.jobType),
    h('div', { class: 'map-layout' }, h('div', { class: 'map-pane' }, toolbar, figure), aside),
    h('h3', { text: 'Nodes' }),
    nodeTable(map, live.map),
  ];
  // The live map draws each exception code from the steps that raised it in the window.
  const drawn = live.map ? withRaisingSteps(map, numbers) : map;
  const raised = raisingSteps(map, numbers);
  const draw = async () => {
    try {
      const engine = await layoutEngine();
      const laid = await layoutMap(engine, drawn, (n) => badgesOf(numbers[n.id]), measure);
      const points = live.map?.failurePoints || [];
      const ranks = new Map(points.map((p, i) => [p.at, { rank: i + 1, of: points.length, point: p }]));
      const svg = drawMap(
        laid,
        drawn,
        (n) =>
          [
            describe(n, numbers[n.id]),
            n.kind === 'exception' ? raisedAtText(raised, n.id) : '',
            ...points.filter((p) => p.at === n.id).map((p) => `failure point: ${p.message}`),
          ]
            .filter(Boolean)
            .join('\n'),
        (id) => ranks.get(id),
      );
      figure.append(svg);
      viewport(svg, figure, controls);
      svg.addEventListener('click', (event) => select(nodeAt(event), drawn, live.map));
      svg.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        select(nodeAt(event), drawn, live.map);
      });
      svgButton.disabled = false;
      svgButton.onclick = () => download(new Blob([svgFile(svg)], { type: 'image/svg+xml' }), `${name}-map.svg`);
    } catch (error) {
      figure.append(h('p', { class: 'error', text: messageOf(error) }));
    }
  };
  return { parts, draw };
}

/**
 * The node of the drawing an event happened in, if any.
 * @param {Event} event
 */
function nodeAt(event) {
  const g = event.target instanceof Element ? event.target.closest('g.node') : null;
  return g instanceof SVGGElement ? g : null;
}

/**
 * Selects a node of the drawing: its edges stand out, its details show beside the map, its row in the table.
 * @param {SVGGElement | null} g
 * @param {WorkflowMap} map
 * @param {LiveWorkflowMap | undefined} live
 */
function select(g, map, live) {
  const id = g?.dataset.id;
  const svg = g?.ownerSVGElement;
  if (!g || !id || !svg) return;
  svg.classList.add('has-selection');
  for (const n of svg.querySelectorAll('g.node')) n.classList.toggle('selected', n === g);
  for (const e of svg.querySelectorAll('g.edge'))
    if (e instanceof SVGGElement)
      e.classList.toggle('touching', (e.dataset.from ?? '').split(' ').includes(id) || e.dataset.to === id);
  for (const r of document.querySelectorAll('#workflows tr.selected')) r.classList.remove('selected');
  document.getElementById(`node-row-${id}`)?.classList.add('selected');
  showNode(map, live, id);
}
