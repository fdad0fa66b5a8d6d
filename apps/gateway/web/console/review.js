/* The console's monthly review of a job type: a calendar month against the one before, each measure
 * first with last month's beside it and the change, read from GET /v1/workflows/:jobType/review.
 * "Draft a new version" links to the designer with the current version as a new draft. */
import { api } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { duration } from '../shared/duration.js';
import { enc, tableOf, when, words, workOrderLink } from './parts.js';
import { session } from './session.js';

const MONTHS = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
/** `2026-03` → `March 2026`. */
const monthName = (m) => MONTHS.format(new Date(`${m}-01T00:00:00Z`));
/** The month `n` months from `m` (`YYYY-MM`). */
function shift(m, n) {
  const d = new Date(`${m}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 7);
}

const plain = (v) => (v === null ? '—' : String(v));
const percent = (v) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);
const time = (v) => (v === null ? '—' : duration(v));

/** A change as a person reads it: `+3`, `−2`, `+10 pts`, `+2 h`, `no change`; `good` says which way is better (`down`, `up`, `either`). */
function change(c, kind, good = 'down') {
  if (c.change === null) return h('span', { class: 'muted', text: c.thisMonth === null ? 'no data' : 'new' });
  if (c.change === 0) return h('span', { class: 'muted', text: 'no change' });
  const sign = c.change > 0 ? '+' : '−';
  const size = Math.abs(c.change);
  const text =
    kind === 'share'
      ? `${sign}${Math.round(size * 1000) / 10} pts`
      : kind === 'seconds'
        ? `${sign}${duration(size)}`
        : `${sign}${size}`;
  if (good === 'either') return h('span', { class: 'delta', text });
  const better = c.change < 0 === (good === 'down');
  return h('span', { class: `delta ${better ? 'better' : 'worse'}`, text });
}

/** One measure: this month large, last month and the change beneath. */
function measure(title, c, show, kind, good) {
  return h(
    'div',
    { class: 'measure' },
    h('p', { class: 'value', text: show(c.thisMonth) }),
    h('p', { class: 'label', text: title }),
    h('p', { class: 'muted' }, `last month ${show(c.lastMonth)} · `, change(c, kind, good)),
  );
}

/** Columns for a compared number: this month, then (`what`: what the row is about, kept in sight on a narrow screen) last month and the change. */
const compared = (title, get, what, show = plain, kind = 'count', good = 'down') => [
  { title, num: true, cell: (r) => show(get(r).thisMonth) },
  ...(what ? [what] : []),
  { title: 'Last month', num: true, cell: (r) => show(get(r).lastMonth) },
  { title: 'Change', num: true, nowrap: true, cell: (r) => change(get(r), kind, good) },
];

/** A section's note begins with what its measures are of: `Of 8 work orders closed this month (4 last month)`. */
const ofTheMonth = (c, what) => `Of ${c.thisMonth} ${what} this month (${c.lastMonth} last month)`;

/** The measures of a section, side by side. */
const measures = (...each) => h('div', { class: 'measures' }, ...each);

function section(title, note, ...body) {
  return h(
    'section',
    { class: 'review-part' },
    h('h3', { text: title }),
    note && h('p', { class: 'muted note', text: note }),
    ...body,
  );
}

function codes(r) {
  return section(
    'Top exception codes',
    'Exceptions raised in the month, by code: who owns the code and the step it blocked most.',
    tableOf(
      [
        ...compared('Raised', (c) => c.raised, {
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

function stalls(r) {
  const s = r.stalls;
  return section(
    'Stall hotspots',
    `${ofTheMonth(s.workOrders, 'work orders opened')}, those blocked or waiting longer than the workflow's stall threshold, and the steps where it happened.`,
    measures(measure('stall rate', s.stallRate, percent, 'share'), measure('work orders stalled', s.stalled, plain)),
    tableOf(
      [
        ...compared('Stalled', (x) => x.stalled, { title: 'Step', cell: (x) => x.stepId }),
        ...compared('Times blocked', (x) => x.blocked, null),
        { title: 'Median time at step', num: true, nowrap: true, cell: (x) => time(x.p50Seconds.thisMonth) },
        { title: 'Last month', num: true, nowrap: true, cell: (x) => time(x.p50Seconds.lastMonth) },
      ],
      s.hotspots,
      'No step stalled or was blocked in either month.',
    ),
  );
}

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

function draft(r) {
  const d = r.draft;
  const which =
    d.source === 'none'
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
 * Draft a new version: the designer's entry point, which opens the current version as a new draft.
 * Drafts are made by admins (the drafts API refuses others), so others are told so beside it.
 */
function draftLink(jobType) {
  const may = session.me?.roles.includes('admin');
  return [
    h('a', { class: 'button', href: `#/workflows/${enc(jobType)}?draft=new`, text: 'Draft a new version' }),
    may ? null : h('span', { class: 'muted', text: 'drafts are made with the admin role' }),
  ];
}

export async function showReview(asked, params) {
  const jobType = asked || (await api('GET', '/v1/workflows')).map((w) => w.jobType).sort()[0];
  if (!jobType) {
    $('#review').replaceChildren(h('p', { class: 'empty', text: 'No workflow is published.' }));
    return 'No workflow is published.';
  }
  const month = params.get('month') || '';
  const q = new URLSearchParams();
  if (month) q.set('month', month);
  if (params.get('draft')) q.set('draft', params.get('draft'));
  const [r, workflow] = await Promise.all([
    api('GET', `/v1/workflows/${enc(jobType)}/review${q.size ? `?${q}` : ''}`),
    api('GET', `/v1/workflows/${enc(jobType)}`),
  ]);
  const m = r.month.month;
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
  );
  return `Monthly review of ${jobType}, ${monthName(m)}.`;
}
