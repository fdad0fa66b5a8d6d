// @ts-check
/* The console's post-reviews page: break-glass actions waiting for the signed-in reviewer. */
import { $, h, valueOf } from '../shared/dom.js';
import { roughDuration } from '../shared/duration.js';
import { ago, badge, cardsOr, details, due, enc, shortId, timeCell, when, workOrderLink } from './parts.js';
import { counted, loadMore, pageSize, readPage } from './paged-list.js';
import { act, session } from './session.js';

/**
 * A row of GET /v1/post-reviews: the view `post-reviews` (docs/views.md), its columns: with its
 * work order's reference and its exception's code and status, all its card shows.
 * @typedef {object} PostReviewRow
 * @property {string} postReviewId
 * @property {string} workOrderId
 * @property {string} exceptionId
 * @property {string} jobType
 * @property {string} createdAt
 * @property {string} dueAt
 * @property {boolean} overdue
 * @property {number} overdueSeconds
 * @property {string | null} source
 * @property {string | null} externalRef
 * @property {string | null} exceptionCode
 * @property {string | null} exceptionStatus
 */
/** @template R @typedef {import('./paged-list.js').Page<R>} Page */

/**
 * Shows the post-reviews that wait for the signed-in reviewer, the longest overdue first, a page at
 * a time (`limit=` in the address); answers the status line.
 * @param {URLSearchParams} [params]
 */
export async function showPostReviews(params) {
  const list = $('#post-reviews-list');
  list.replaceChildren(h('p', { class: 'empty', role: 'status', text: 'Loading the post-reviews that wait for you…' }));
  // One request a page: each row carries what its card shows (docs/api.md, Routes: `GET /v1/post-reviews`).
  /** @type {Page<PostReviewRow>} */
  const first = await readPage(`/v1/post-reviews?owner=${enc(session.me?.id ?? '')}&limit=${pageSize(params)}`);
  list.replaceChildren();
  let shown = 0;
  let overdue = 0;
  /** @param {PostReviewRow[]} rows */
  const show = (rows) => {
    const cards = rows.map(postReviewCard);
    if (tail) tail.before(...cards);
    else list.append(...cards);
    shown += rows.length;
    overdue += rows.filter((r) => r.overdue).length;
    return shown;
  };
  /** @type {HTMLElement | null} */
  let tail = null;
  tail = loadMore(first, show, (n, more) => `${counted(n, 'post-review')} shown${more ? ', more to load' : ''}.`);
  if (shown === 0) list.replaceChildren(...cardsOr([], 'No post-review waits for you.'));
  list.append(tail);
  const also = first.next ? ', more to load' : '';
  return `${counted(shown, 'post-review')} open, ${overdue} overdue${also}.`;
}

/** @param {PostReviewRow} row */
function postReviewCard(row) {
  const wo = row.externalRef ? { externalRef: row.externalRef } : null;
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
      // The card changes in place: the list is not read again.
      () => {
        heading.append(' ', badge('completed'));
        form.replaceWith(h('p', { class: 'muted', text: `Completed: ${v('outcome')}` }));
      },
    );
  });
  const heading = h(
    'h3',
    { id: `${id}-title` },
    row.overdue ? `Overdue by ${roughDuration(row.overdueSeconds)}` : `Due ${due(row.dueAt)}`,
    ' · ',
    wo ? wo.externalRef : `work order ${shortId(row.workOrderId)}`,
  );
  return h(
    'article',
    {
      class: `card${row.overdue ? ' overdue' : ''}`,
      'aria-labelledby': `${id}-title`,
      'data-post-review': row.postReviewId,
    },
    heading,
    details([
      [
        'Work order',
        h(
          'span',
          {},
          workOrderLink(row.workOrderId, wo),
          h('span', { class: 'muted', text: ` · ${row.source ? `${row.source} · ` : ''}${row.jobType}` }),
        ),
      ],
      ['Exception', row.exceptionCode ? `${row.exceptionCode} (${row.exceptionStatus})` : null],
      ['Break-glass', timeCell(row.createdAt, ago(row.createdAt))],
      ['Due', timeCell(row.dueAt, when(row.dueAt))],
    ]),
    form,
  );
}
