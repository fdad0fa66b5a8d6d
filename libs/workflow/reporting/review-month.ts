import { ReviewWindow, WorkgateError } from '@workgate/contracts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first instant (UTC) of month `m` (1-12) of `year`; months past December roll into the next year. */
function monthStart(year: number, m: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, m - 1, 1); // setUTCFullYear, not Date.UTC: years 0-99 stay themselves
  return d;
}

const label = (d: Date): string =>
  `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;

/** The window of the month that starts at `start`, measured at its last instant or at `now` if that is earlier. */
function windowFrom(start: Date, now: Date): ReviewWindow {
  const next = monthStart(start.getUTCFullYear(), start.getUTCMonth() + 2);
  const last = next.getTime() - 1;
  return {
    month: label(start),
    from: start.toISOString(),
    to: next.toISOString(),
    asOf: new Date(Math.min(last, now.getTime())).toISOString(),
  };
}

/**
 * The calendar month a review is asked about (`YYYY-MM`, UTC; the current month when absent) and the
 * one before it. A month after the current one, or anything not `YYYY-MM`, is refused naming the
 * parameter.
 */
export function reviewMonths(month: unknown, now: Date): { month: ReviewWindow; previous: ReviewWindow } {
  const current = monthStart(now.getUTCFullYear(), now.getUTCMonth() + 1);
  let start = current;
  if (month !== undefined) {
    const m = typeof month === 'string' ? MONTH.exec(month) : null;
    if (!m || Number(m[1]) < 1970) {
      throw new WorkgateError('validation_failed', 'month must be a calendar month as YYYY-MM (e.g. 2026-03)', [
        { path: 'month', message: 'must be YYYY-MM, from 1970-01' },
      ]);
    }
    start = monthStart(Number(m[1]), Number(m[2]));
    if (start > current) {
      throw new WorkgateError('validation_failed', `month ${m[0]} has not begun`, [
        { path: 'month', message: `must not be after ${label(current)}` },
      ]);
    }
  }
  const before = monthStart(start.getUTCFullYear(), start.getUTCMonth());
  return { month: windowFrom(start, now), previous: windowFrom(before, now) };
}
