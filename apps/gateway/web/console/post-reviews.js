// @ts-check
/* The console's post-reviews page: break-glass actions waiting for the signed-in reviewer. */
import { api } from '../shared/api.js';
import { $, h, valueOf } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { ago, cardsOr, details, due, enc, shortId, timeCell, when, workOrderLink } from './parts.js';
import { act, handoff, session } from './session.js';

/** @typedef {import('@workgate/contracts/approvals').ExceptionView} ExceptionView */
/** @typedef {import('@workgate/contracts/work-order-reads').WorkOrderHandoff} WorkOrderHandoff */
/**
 * A row of GET /v1/post-reviews: the view `post-reviews` (docs/views.md), its columns.
 * @typedef {object} PostReviewRow
 * @property {string} postReviewId
 * @property {string} workOrderId
 * @property {string} exceptionId
 * @property {string} createdAt
 * @property {string} dueAt
 * @property {boolean} overdue
 * @property {number} overdueSeconds
 */

/** @type {(owner: string) => Promise<PostReviewRow[]>} */
const readPostReviews = (owner) => api('GET', `/v1/post-reviews?owner=${enc(owner)}`);
/** @type {(id: string) => Promise<ExceptionView>} */
const readException = (id) => api('GET', `/v1/exceptions/${id}`);

/** Shows the post-reviews that wait for the signed-in reviewer; answers the status line. */
export async function showPostReviews() {
  const rows = await readPostReviews(session.me?.id ?? '');
  rows.sort((a, b) => b.overdueSeconds - a.overdueSeconds || a.dueAt.localeCompare(b.dueAt));
  const cards = await Promise.all(
    rows.map(async (row) => {
      const [wo, exception] = await Promise.all([
        handoff(row.workOrderId),
        readException(row.exceptionId).catch(() => null),
      ]);
      return postReviewCard(row, wo, exception);
    }),
  );
  $('#post-reviews-list').replaceChildren(...cardsOr(cards, 'No post-review waits for you.'));
  const overdue = rows.filter((r) => r.overdue).length;
  return `${rows.length} post-review${rows.length === 1 ? '' : 's'} open, ${overdue} overdue.`;
}

/**
 * @param {PostReviewRow} row
 * @param {WorkOrderHandoff | null} wo
 * @param {ExceptionView | null} exception
 */
function postReviewCard(row, wo, exception) {
  const id = `review-${row.postReviewId}`;
  /** @type {(name: string, label: string, attrs: Record<string, string>) => HTMLElement[]} */
  const field = (name, label, attrs) => [
    h('label', { for: `${id}-field-${name}`, text: label }),
    h(attrs.rows ? 'textarea' : 'input', { id: `${id}-field-${name}`, name, required: true, ...attrs }),
  ];
  const form = h(
    'form',
    { class: 'grid-form' },
    ...field('outcome', 'Outcome', {
      rows: '2',
      maxlength: '4000',
      placeholder: 'Was the break-glass justified? What happened?',
    }),
    ...field('title', 'Remediation', { maxlength: '1000', placeholder: 'What will stop this from happening again' }),
    ...field('owner', 'Remediation owner', { value: session.me?.id ?? '' }),
    ...field('due', 'Remediation due', {
      value: 'P14D',
      maxlength: '64',
      title: 'A time (2026-12-01T12:00:00Z) or a duration from now (P14D)',
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Complete' })),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    /** @param {string} n */
    const v = (n) => valueOf(form, n).trim();
    void act(
      form,
      `Post-review of ${wo ? wo.externalRef : shortId(row.workOrderId)} completed.`,
      `/v1/post-reviews/${row.postReviewId}/complete`,
      { outcome: v('outcome'), remediation: { title: v('title'), owner: v('owner'), due: v('due') } },
    );
  });
  return h(
    'article',
    { class: `card${row.overdue ? ' overdue' : ''}`, 'aria-labelledby': `${id}-title` },
    h(
      'h3',
      { id: `${id}-title` },
      row.overdue ? `Overdue by ${roughDuration(row.overdueSeconds)}` : `Due ${due(row.dueAt)}`,
      ' · ',
      wo ? wo.externalRef : `work order ${shortId(row.workOrderId)}`,
    ),
    details([
      [
        'Work order',
        h(
          'span',
          {},
          workOrderLink(row.workOrderId, wo),
          wo ? h('span', { class: 'muted', text: ` · ${wo.workflow.title}` }) : null,
        ),
      ],
      ['Exception', exception ? `${exception.code} (${exception.status})` : null],
      ['Break-glass', timeCell(row.createdAt, ago(row.createdAt))],
      ['Due', timeCell(row.dueAt, when(row.dueAt))],
    ]),
    form,
  );
}
