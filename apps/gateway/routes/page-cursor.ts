import { WorkgateError } from '@workgate/contracts';

/**
 * The pages of a list (docs/api.md, "Conventions", its pages): a page of at most `limit` rows; when more follow, a
 * `Link: <…&after=CURSOR>; rel="next"` header whose cursor names the page's last row by the list's
 * order (its sort columns, in order). The cursor is opaque to callers: base64url of the columns.
 */

/** What a cursor may look like in a query string (validated again when read). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,600}$/;
export const CURSOR_MESSAGE = 'after must be the cursor of a Link: rel="next" header';

/** The refusal of a cursor this list did not give: 422 `validation_failed` naming `after`. */
export const badCursor = (): WorkgateError =>
  new WorkgateError('validation_failed', CURSOR_MESSAGE, [{ path: 'after', message: 'not a cursor this list gave' }]);

/** The cursor naming a row by its sort columns. */
export const cursorOf = (columns: readonly string[]): string =>
  Buffer.from(JSON.stringify(columns)).toString('base64url');

/**
 * The sort columns a cursor names, `count` strings; undefined without a cursor; 422
 * `validation_failed` naming `after` for anything this list did not give.
 */
export function columnsOf(cursor: string | undefined, count: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  let columns: unknown;
  try {
    columns = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    columns = null;
  }
  if (!Array.isArray(columns) || columns.length !== count || !columns.every((c) => typeof c === 'string' && c))
    throw badCursor();
  return columns.filter((c): c is string => typeof c === 'string');
}

/** A sort column that is a time: its cursor value must read as one (answered in RFC 3339). */
export function timeOf(value: string): string {
  const ms = Date.parse(value);
  // Years 0000-9999 only: the database reads no other.
  const iso = Number.isNaN(ms) ? '' : new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso)) throw badCursor();
  return iso;
}

/** A sort column that is a uuid (the row's id): its cursor value must be one. */
export function uuidOf(value: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw badCursor();
  return value;
}

/**
 * One page of `rows`, read with one row more than `limit` to know whether more follow: the first
 * `limit` rows, with the `Link: rel="next"` header to `path` (with `query` and the cursor of the
 * page's last row) when more do.
 */
export function pageOf<R>(
  rows: R[],
  limit: number,
  res: { header(name: string, value: string): unknown },
  next: { path: string; query: Record<string, string | undefined>; columns: (row: R) => string[] },
): R[] {
  const page = rows.slice(0, limit);
  if (rows.length > limit && page.length > 0) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(next.query)) if (v !== undefined && v !== '') query.set(k, v);
    query.set('limit', String(limit));
    query.set('after', cursorOf(next.columns(page[page.length - 1])));
    void res.header('Link', `<${next.path}?${query}>; rel="next"`);
  }
  return page;
}
