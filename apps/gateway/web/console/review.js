// @ts-check
/* The console's monthly review of a job type: a calendar month against the one before, each measure
 * first with last month's beside it and the change, read from GET /v1/workflows/:jobType/review.
 * "Draft a new version" links to the designer with the current version as a new draft. */
import { api } from '../shared/api.js';
import { compareTable } from '../shared/compare-table.js';
import { $, h } from '../shared/dom.js';
import { enc, tableOf, when, words, workOrderLink } from './parts.js';
import { compared, measure, measures, ofTheMonth, percent, plain, section, time } from './review-measures.js';
import { session } from './session.js';

/** @typedef {import('@workgate/contracts/monthly-review').MonthlyReview} MonthlyReview */
/** @typedef {import('@workgate/contracts/monthly-review').Compared} Compared */
/** @typedef {import('@workgate/contracts/monthly-review').ReviewCode} ReviewCode */
/** @typedef {import('@workgate/contracts/monthly-review').ReviewHotspot} ReviewHotspot */
/** @typedef {import('@workgate/contracts/policy').WorkflowVersion} WorkflowVersion */
/** @typedef {import('@workgate/contracts/policy').WorkflowSummary} WorkflowSummary */

const MONTHS = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** `2026-03` → `March 2026`. @param {string} m */
const monthName = (m) => MONTHS.format(new Date(`${m}-01T00:00:00Z`));
/**
 * The month `n` months from `m` (`YYYY-MM`).
 * @param {string} m
 * @param {number} n
 */
function shift(m, n) {
  const d = new Date(`${m}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 7);
}

/** @param {MonthlyReview} r */
function codes(r) {
  return section(
    'Top exception codes',
    'Exceptions raised in the month, by code: who owns the code and the step it blocked most.',
    tableOf(
      [
        ...compared('Raised', (/** @type {ReviewCode} */ c) => c.raised, {
          title: 'Code',
          cell: (c) => h('a', { href: '#/exceptions' }, c.code),
        }),
        { title: 'Owner', cell: (c) => c.owner || '—' },
        { title: 'Blocks step', cell: (c) => c.stepId || '—' },
        { title: 'Work orders', num: true, cell: (c) => plain(c.workOrders.thisMonth) },
        { title: 'Open at month end', num: true, cell: (c) => plain(c.openAtEnd) },
      ],
      r.topCodes,
      'No exception was raised in either month.',
    ),
  );
}

/** @param {MonthlyReview} r */
function stalls(r) {
  const s = r.stalls;
  return section(
    'Stall hotspots',
    `${ofTheMonth(s.workOrders, 'work orders opened')}, those blocked or waiting longer than the workflow's stall threshold, and the steps where it happened.`,
    measures(measure('stall rate', s.stallRate, percent, 'share'), measure('work orders stalled', s.stalled, plain)),
    tableOf(
      [
        ...compared('Stalled', (/** @type {ReviewHotspot} */ x) => x.stalled, { title: 'Step', cell: (x) => x.stepId }),
        ...compared('Times blocked', (/** @type {ReviewHotspot} */ x) => x.blocked, null),
        { title: 'Median time at step', num: true, nowrap: true, cell: (x) => time(x.p50Seconds.thisMonth) },
        { title: 'Last month', num: true, nowrap: true, cell: (x) => time(x.p50Seconds.lastMonth) },
      ],
      s.hotspots,
      'No step stalled or was blocked in either month.',
    ),
  );
}

/** @param {MonthlyReview} r */
function evidence(r) {
  const e = r.evidence;
  const missing = r.closuresWithoutEvidence;
  return section(
    'Evidence',
    `${ofTheMonth(e.closures, 'work orders closed')}: closed with their closure evidence, and their steps completed with the evidence each requires.`,
    measures(
      measure('closures with evidence', e.closureShare, percent, 'share', 'up'),
      measure('steps with evidence', e.stepShare, percent, 'share', 'up'),
      measure('closures without evidence', missing.count, plain),
    ),
    tableOf(
      [
        { title: 'Closed without evidence', cell: (w) => workOrderLink(w.workOrderId, w) },
        { title: 'Source', cell: (w) => w.source },
        { title: 'Closed', nowrap: true, cell: (w) => when(w.closedAt) },
      ],
      missing.workOrders,
      'Every closure of the month carried its evidence.',
    ),
  );
}

/** @param {MonthlyReview} r */
function exceptions(r) {
  const x = r.exceptions;
  return section(
    'Breached and escalated',
    "Exceptions of the month's work orders, as they stood at its end: open past their SLA, and escalated.",
    measures(
      measure('exceptions raised', x.raised, plain),
      measure('open past SLA', x.breached, plain),
      measure('escalated', x.escalated, plain),
    ),
  );
}

/** @param {MonthlyReview} r */
function draft(r) {
  const d = r.draft;
  const which =
    d.source === 'none' || !d.draftId
      ? null
      : h(
          'p',
          { class: 'muted note' },
          `${d.source === 'requested' ? 'The draft asked for' : 'The latest draft of this job type'} (`,
          h('a', { href: `#/workflows/${enc(r.jobType)}?draft=${enc(d.draftId)}`, text: 'open it in the designer' }),
          ').',
        );
  return section(
    'Decisions a draft would change',
    d.note,
    which,
    d.changed.thisMonth === null
      ? null
      : measures(
          measure('decisions changed', d.changed, plain, 'count', 'either'),
          measure('requests replayed', d.evaluated, plain, 'count', 'either'),
        ),
    d.decisions.length
      ? tableOf(
          [
            { title: 'Change', nowrap: true, cell: (c) => `${c.before.decision} → ${c.after.decision}` },
            { title: 'Why', cell: (c) => c.message },
            { title: 'Rule', cell: (c) => c.after.rule || `the boundary (${words(c.after.reason)})` },
            { title: 'Work order', cell: (c) => workOrderLink(c.workOrderId) },
          ],
          d.decisions,
          '',
        )
      : null,
  );
}

/**
 * The month's departments side by side, every job type's work orders closed in it; the workflow's
 * own department picked out.
 * @param {MonthlyReview} r
 * @param {string | null} mine
 */
function departments(r, mine) {
  return section(
    'Departments this month',
    `The work orders of every job type closed in the month, by the department of their workflow${mine ? `; this workflow's, ${mine}, is picked out` : ''}.`,
    compareTable(r.departments, { mark: mine, empty: 'No work order was closed in the month.' }),
  );
}

/**
 * Draft a new version: the designer's entry point, which opens the current version as a new draft.
 * Drafts are made by admins (the drafts API refuses others), so others are told so beside it.
 * @param {string} jobType
 */
function draftLink(jobType) {
  const may = session.me?.roles.includes('admin');
  return [
    h('a', { class: 'button', href: `#/workflows/${enc(jobType)}?draft=new`, text: 'Draft a new version' }),
    may ? null : h('span', { class: 'muted', text: 'drafts are made with the admin role' }),
  ];
}

/** @type {() => Promise<WorkflowSummary[]>} */
const readWorkflows = () => api('GET', '/v1/workflows');
/** @type {(path: string) => Promise<MonthlyReview>} */
const readReview = (path) => api('GET', path);
/** @type {(jobType: string) => Promise<WorkflowVersion>} */
const readWorkflow = (jobType) => api('GET', `/v1/workflows/${enc(jobType)}`);

/**
 * Shows the monthly review of `asked` (else the first job type) for the month `params` name, else
 * the last whole month (a month as it ended, against the one before; "→" leads on to this month so
 * far); answers the status line.
 * @param {string} asked
 * @param {URLSearchParams} params
 */
export async function showReview(asked, params) {
  const jobType = asked || (await readWorkflows()).map((w) => w.jobType).sort()[0];
  if (!jobType) {
    $('#review').replaceChildren(h('p', { class: 'empty', text: 'No workflow is published.' }));
    return 'No workflow is published.';
  }
  const month = params.get('month') || shift(new Date().toISOString().slice(0, 7), -1);
  const q = new URLSearchParams({ month });
  const draftId = params.get('draft');
  if (draftId) q.set('draft', draftId);
  const [r, workflow] = await Promise.all([
    readReview(`/v1/workflows/${enc(jobType)}/review?${q}`),
    readWorkflow(jobType),
  ]);
  const m = r.month.month;
  /** @type {(n: number, text: string) => HTMLAnchorElement} */
  const link = (n, text) => h('a', { href: `#/review/${enc(jobType)}?month=${shift(m, n)}`, text });
  const latest = r.month.asOf !== new Date(Date.parse(r.month.to) - 1).toISOString();
  $('#review').replaceChildren(
    h(
      'div',
      { class: 'heading' },
      h('h3', {}, `${workflow.definition.title} · ${monthName(m)}`),
      h('div', { class: 'actions' }, h('a', { href: `#/workflows/${enc(jobType)}`, text: 'Map' }), draftLink(jobType)),
    ),
    h(
      'p',
      { class: 'muted note' },
      `${jobType} v${workflow.version} · ${monthName(m)} against ${monthName(r.previous.month)}, `,
      latest ? `so far (as of ${when(r.month.asOf)}) · ` : 'as each month ended · ',
      link(-1, `← ${monthName(r.previous.month)}`),
      latest ? '' : ' · ',
      latest ? '' : link(1, `${monthName(shift(m, 1))} →`),
    ),
    codes(r),
    stalls(r),
    evidence(r),
    exceptions(r),
    draft(r),
    departments(r, workflow.definition.department || null),
  );
  return `Monthly review of ${jobType}, ${monthName(m)}.`;
}
