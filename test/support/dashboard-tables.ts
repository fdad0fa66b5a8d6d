import type { Page } from 'playwright-core';

/** What test/dashboard.e2e-spec.ts reads of the dashboard page: Chart.js in the browser, the tables, the values a person reads. */
declare global {
  interface Window {
    /** Chart.js, as the dashboard page loads it. */
    Chart?: {
      getChart(
        id: string,
      ): { data: { labels: string[]; datasets: Array<{ label: string; data: number[] }> } } | undefined;
    };
  }
}

/** A row of a view as this test reads it: each view answers the fields it has. */
export interface ViewRow {
  code: string;
  period: string;
  count: number;
  jobType: string;
  stalled: number;
  workOrders: number;
  stallRate: number | null;
  ratio: number | null;
  closureShare: number | null;
  overdueSeconds: number;
  ageSeconds: number;
  closedAt: string;
  externalRef: string;
  workOrderId: string;
}

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** The measure each table leads with. */
export const FIRST_COLUMN: Record<string, string> = {
  trends: 'exceptions',
  'top-codes': 'exceptions',
  'stall-rates': 'stall rate',
  'first-time-fix': 'first-time-fix',
  'post-reviews': 'overdue by',
  approvals: 'age',
  evidence: 'closure evidence',
  closures: 'closed',
};

export const percentText = (ratio: number | null) =>
  ratio === null ? '–' : `${(Math.round(ratio * 1000) / 10).toFixed(1)} %`;

/**
 * Seconds as the page writes them: the shared module it imports (`web/shared/duration.js`, whose
 * values its own spec checks), asked in the page, so the table is checked against it, not a copy.
 */
export function durations(page: Page, seconds: number[]): Promise<string[]> {
  return page.evaluate<string[]>(
    `import('/shared/duration.js').then((m) => ${JSON.stringify(seconds)}.map(m.duration))`,
  );
}

/** What the first column of each table must read, from the view's rows, in the order shown. */
export async function expectedFirstColumn(page: Page, id: string, rows: ViewRow[]): Promise<string[]> {
  switch (id) {
    case 'trends': {
      const byCode = new Map<string, number>();
      for (const r of rows) byCode.set(r.code, (byCode.get(r.code) ?? 0) + r.count);
      return [...byCode.values()].sort((a, b) => b - a).map((n) => n.toLocaleString('en-US'));
    }
    case 'top-codes':
      return rows.map((r) => r.count.toLocaleString('en-US'));
    case 'stall-rates':
      return rows.map((r) => percentText(r.stallRate));
    case 'first-time-fix':
      return rows.map((r) => percentText(r.ratio));
    case 'evidence':
      return rows.map((r) => percentText(r.closureShare));
    case 'post-reviews':
      return durations(
        page,
        rows.map((r) => r.overdueSeconds),
      );
    case 'approvals':
      return durations(
        page,
        [...rows].sort((a, b) => b.ageSeconds - a.ageSeconds).map((r) => r.ageSeconds),
      );
    case 'closures':
      return rows.map((r) => String(r.closedAt).slice(0, 10));
    default:
      throw new Error(`no table expected for ${id}`);
  }
}

/** A section's table as the page shows it: headings, body rows and the totals row, as text. */
export async function tableOf(page: Page, id: string): Promise<{ head: string[]; body: string[][]; foot: string[] }> {
  return page.$eval(`#${id}`, (section) => {
    const texts = (row: Element) => Array.from(row.children).map((c) => (c.textContent ?? '').trim());
    const head = section.querySelector('thead tr');
    const foot = section.querySelector('tfoot tr');
    return {
      head: head ? texts(head) : [],
      body: Array.from(section.querySelectorAll('tbody tr')).map(texts),
      foot: foot ? texts(foot) : [],
    };
  });
}

/** What each chart must hold, computed from the view's rows. */
export function expectedChart(id: string, rows: ViewRow[]) {
  const pct = (x: number | null) => (x === null ? 0 : Math.round(x * 1000) / 10);
  switch (id) {
    case 'trends': {
      const periods = [...new Set(rows.map((r) => r.period))].sort();
      const codes = [...new Set(rows.map((r) => r.code))].sort();
      return {
        labels: periods,
        datasets: codes.map((code) => ({
          label: code,
          data: periods.map((p) => rows.find((r) => r.period === p && r.code === code)?.count ?? 0),
        })),
      };
    }
    case 'top-codes':
      return { labels: rows.map((r) => r.code), datasets: [{ label: 'exceptions', data: rows.map((r) => r.count) }] };
    case 'stall-rates':
      return {
        labels: rows.map((r) => r.jobType),
        datasets: [{ label: 'stall rate (%)', data: rows.map((r) => pct(r.stallRate)) }],
      };
    case 'first-time-fix':
      return {
        labels: rows.map((r) => r.jobType),
        datasets: [{ label: 'first-time-fix (%)', data: rows.map((r) => pct(r.ratio)) }],
      };
    default:
      throw new Error(`no chart expected for ${id}`);
  }
}
