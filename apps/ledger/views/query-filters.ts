import { ViewQuery, ViewRow, WorkgateError } from '@workgate/contracts';
import { Queryable } from './view-table';

/** How the evidence views answer one query: every one of them takes the same filters. */
export type ViewAnswer = (db: Queryable, q: ViewQuery, asOf: string) => Promise<ViewRow[]>;

export const ratio = (part: number, whole: number): number | null =>
  whole ? Math.round((part / whole) * 10_000) / 10_000 : null;

export const clamp = (limit: number | undefined, fallback: number, max: number): number =>
  Math.min(Math.max(Math.floor(typeof limit === 'number' && Number.isFinite(limit) ? limit : fallback), 1), max);

/** WHERE clauses with numbered parameters, built up filter by filter. */
export class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  /** Adds `sql` with `?` standing for `value`'s parameter; skipped when value is undefined. */
  add(sql: string, value: unknown): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(sql.replace(/\?/g, `$${this.params.length}`));
    return this;
  }

  /** Adds a condition without a parameter. */
  also(sql: string): this {
    this.clauses.push(sql);
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** The conditions alone (unqualified columns: they bind to the innermost table). */
  conditions(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : 'TRUE';
  }

  /** `WHERE ...`, or nothing without conditions. */
  get sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/** The common filters: [from, to) and not after asOf on the view's time column, and the job type. */
export function window(q: ViewQuery, asOf: string, column: string): Where {
  return new Where()
    .add(`${column} >= ?`, q.from)
    .add(`${column} < ?`, q.to)
    .add(`${column} <= ?`, asOf)
    .add('job_type = ?', q.jobType);
}

const DAY = 86_400_000;

/**
 * The whole days (UTC) of a window, [first, end) as midnights (`first` null: from the start): their
 * counts are read from counts kept by day, the rows outside them (the window's first and last
 * partial days) row by row, so any window answers what a scan of its rows does.
 */
export function wholeDays(q: { from?: string; to?: string }, asOf: string): { first: string | null; end: string } {
  const iso = (ms: number) => new Date(ms).toISOString();
  const until = Math.min(Date.parse(asOf), q.to === undefined ? Infinity : Date.parse(q.to));
  return {
    first: q.from === undefined ? null : iso(Math.ceil(Date.parse(q.from) / DAY) * DAY),
    end: iso(Math.floor(until / DAY) * DAY),
  };
}

/**
 * Narrows `w` (on `column`) to the rows outside the whole days: the partial days. Each partial day
 * is written as a range with both its ends, so Postgres reads it as one index range (a condition
 * such as `col < first OR col >= end` alone would read the whole window and filter it).
 */
export function outside(
  w: Where,
  days: { first: string | null; end: string },
  column: string,
  q: { from?: string; to?: string },
  asOf: string,
): Where {
  const last = [`${column} >= ${w.param(days.end)}`, `${column} <= ${w.param(asOf)}`];
  if (q.to !== undefined) last.push(`${column} < ${w.param(q.to)}`);
  if (days.first === null || q.from === undefined) return w.also(last.join(' AND '));
  const head = `${column} >= ${w.param(q.from)} AND ${column} < ${w.param(days.first)}`;
  return w.also(`((${head}) OR (${last.join(' AND ')}))`);
}

/** Checks the query's times; answers the instant it is measured at (asOf, else now). */
export function checkTimes(q: ViewQuery): string {
  for (const name of ['from', 'to', 'asOf'] as const) {
    const value: unknown = q[name];
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      throw new WorkgateError('validation_failed', `${name} must be an RFC 3339 time`);
    }
  }
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to))
    throw new WorkgateError('validation_failed', 'from must not be after to');
  return q.asOf ? new Date(q.asOf).toISOString() : new Date().toISOString();
}

/** `, version` in the select list and grouping when grouped by version. */
export const byVersion = (q: ViewQuery): string => (q.groupBy === 'version' ? ', version' : '');

/** The row's `version` when grouped by version (it follows the first column). */
export const versionOf = (q: ViewQuery, r: { version?: number }): ViewRow =>
  q.groupBy === 'version' ? { version: r.version ?? null } : {};
