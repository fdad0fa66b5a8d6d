// @ts-check
/* A list of the console read one page at a time (docs/api.md, "Conventions", its pages): the first page as soon as it
 * is read, "Load more" under it while the API names a next page (`Link: rel="next"`), one request a page. */
import { apiPage, messageOf } from '../shared/api.js';
import { h, status } from '../shared/dom.js';

/** Rows one page of a console list shows unless the address says `limit=` (1 to 1,000). */
export const PAGE = 50;

/**
 * The page size the address asks for (`#/page?limit=N`), else PAGE.
 * @param {URLSearchParams} [params]
 */
export function pageSize(params) {
  const asked = Number(params?.get('limit'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 1000 ? asked : PAGE;
}

/**
 * A page of a list: its rows, and the path of the next page (null after the last).
 * @template R
 * @typedef {{ rows: R[], next: string | null }} Page
 */

/**
 * Reads one page of the list at `path`.
 * @template R
 * @param {string} path
 * @returns {Promise<Page<R>>}
 */
export const readPage = (path) => apiPage(path);

/**
 * Shows `first` with `show` (which puts a page's rows where they go and answers how many rows the
 * list shows now) and, while a next page follows, a "Load more" button (`tail`, to be placed under
 * the list) that reads it and shows it the same way; `said(shown, more)` is the status line after
 * each later page.
 * @template R
 * @param {Page<R>} first
 * @param {(rows: R[]) => number} show
 * @param {(shown: number, more: boolean) => string} said
 * @returns {HTMLElement}
 */
export function loadMore(first, show, said) {
  const more = h('button', { type: 'button', class: 'quiet', text: 'Load more' });
  const tail = h('div', { class: 'actions load-more' }, more);
  /** @param {Page<R>} page */
  const append = (page) => {
    const shown = show(page.rows);
    const { next } = page;
    tail.hidden = !next;
    more.onclick = async () => {
      if (!next) return;
      more.disabled = true;
      try {
        /** @type {Page<R>} */
        const following = await readPage(next);
        status(said(append(following), !!following.next));
      } catch (error) {
        status(messageOf(error), true);
      } finally {
        more.disabled = false;
      }
    };
    return shown;
  };
  append(first);
  return tail;
}

/**
 * `n` things in words: "1 approval", "3 approvals".
 * @param {number} n
 * @param {string} one
 */
export const counted = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
