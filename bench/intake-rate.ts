import { arrayOf, expectShape, isNumber, objectOf } from '@workgate/contracts';
import { createPool } from '@workgate/event-store';
import { percentile, waitUntil } from './stats';
import { events, WorkEventPublisher } from './work-events';

/** The fixed-rate runs of `npm run bench:intake`: publish -> commit and publish -> view latencies. */

export interface RateResult {
  rate: number;
  events: number;
  commitP50: number;
  commitP99: number;
  viewP50: number;
  viewP99: number;
}

/** Waits until the views have folded the whole ledger, so a fixed-rate run starts from a steady state. */
export function settled(pool: ReturnType<typeof createPool>): Promise<void> {
  return waitUntil('the views catching up with the ledger', 120_000, async () => {
    const { rows } = await pool.query<{ head: number | null; views: number | null }>(
      `SELECT (SELECT max(position) FROM ledger_events)::int AS head, (SELECT position FROM projection_checkpoints WHERE name = 'views')::int AS views`,
    );
    return (rows[0].views ?? 0) >= (rows[0].head ?? 0);
  });
}

/**
 * Pairs paced at `rate` events/s for `seconds`, from a steady state. publish -> commit from each row's recorded_at;
 * publish -> view from the views checkpoint, polled every few milliseconds: a row is visible in
 * the views once the checkpoint has passed its position (the page that folded it committed).
 */
export async function atRate(
  publisher: WorkEventPublisher,
  pool: ReturnType<typeof createPool>,
  run: string,
  rate: number,
  seconds: number,
  sampleRss: () => void,
): Promise<RateResult> {
  const total = rate * seconds;
  const checkpoints: Array<[number, number]> = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { rows } = await pool.query<{ p: number }>(
        `SELECT position::int AS p FROM projection_checkpoints WHERE name = 'views'`,
      );
      checkpoints.push([Date.now(), rows[0]?.p ?? 0]);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t0 = Date.now();
  const inflight: Promise<void>[] = [];
  let lastRss = 0;
  for (let pair = 0; pair < total / 2; pair++) {
    const due = t0 + (pair * 2 * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [open, act] = events(run, pair, Date.now());
    inflight.push(publisher.publish(open).then(() => publisher.publish(act)));
    if (Date.now() - lastRss > 1000) {
      sampleRss();
      lastRss = Date.now();
    }
  }
  await Promise.all(inflight);
  const fetchRows = async () =>
    expectShape(
      (
        await pool.query(
          `SELECT position::int AS position, (extract(epoch FROM recorded_at) * 1000)::float8 AS committed,
                (COALESCE(data->'inputs'->>'sentAt', data->'facts'->>'sentAt'))::float8 AS sent
           FROM ledger_events
          WHERE type IN ('WorkOrderOpened', 'ActionDecided') AND position > (SELECT max(position) FROM ledger_events) - $1
            AND COALESCE(data->'inputs'->>'sentAt', data->'facts'->>'sentAt') IS NOT NULL
            AND (data->'inputs'->>'caseId' LIKE $2 OR data->'workOrder'->>'externalRef' LIKE $2)`,
          [total * 4, `${run}-%`],
        )
      ).rows,
      arrayOf(objectOf({ position: isNumber, committed: isNumber, sent: isNumber })),
      'committed rows',
    );
  let rows = await fetchRows();
  for (let i = 0; rows.length < total && i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await fetchRows();
  }
  const last = Math.max(...rows.map((r) => r.position));
  await waitUntil(
    `the views reaching position ${last}`,
    60_000,
    () => checkpoints.length > 0 && checkpoints[checkpoints.length - 1][1] >= last,
    20,
  );
  polling = false;
  await poller;
  const commit = rows.map((r) => Number(r.committed) - Number(r.sent)).sort((a, b) => a - b);
  const view = rows
    .map((r) => {
      // The first poll that saw the checkpoint at or past the row (checkpoints are in time order).
      let lo = 0;
      let hi = checkpoints.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (checkpoints[mid][1] >= r.position) hi = mid;
        else lo = mid + 1;
      }
      return checkpoints[lo][0] - Number(r.sent);
    })
    .sort((a, b) => a - b);
  return {
    rate,
    events: rows.length,
    commitP50: percentile(commit, 50),
    commitP99: percentile(commit, 99),
    viewP50: percentile(view, 50),
    viewP99: percentile(view, 99),
  };
}
