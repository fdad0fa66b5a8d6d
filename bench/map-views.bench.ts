import { ViewQuery, ViewRow } from '@workgate/contracts';
import { createPool, ensureDatabase, migrate, ProjectionRunner, withDatabase } from '@workgate/event-store';
import { LIVE_MAP_VIEWS } from '@workgate/workflow';
import { liveMapViews } from '../apps/ledger/views/map.queries';
import { queryView } from '../apps/ledger/views/views.queries';
import { Queryable } from '../apps/ledger/views/view-table';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { fillWithHistory } from './history-ledger';
import { failure, median, numberArg, percentile } from './stats';
import { scannedExceptionCodes, scannedRules, scannedStepExceptions, scannedSteps } from './steps-scan';
import { BASE_URL, dropBenchDatabase } from './workgate-process';

/**
 * `npm run bench:map [-- --events 200000 --rounds 3]`: the live workflow map's five views straight
 * from Postgres (no HTTP), for one job type, on a fresh ledger of about `--events` events: as the
 * ledger answers the map (`counts`: all five in one request, the steps views read from the counts
 * by day, exception-codes and gates from their covering indexes) against the five asked at once
 * with steps, step-exceptions and rules scanning every work order of the window and
 * exception-codes joining the exceptions with them (`scan`), alternating the two round by round.
 * First it checks both answer the same: every count equal, each percentile within 4% or 1 s.
 */
const TARGET_EVENTS = numberArg('events', 200_000);
const ROUNDS = numberArg('rounds', 3);
const QUERIES = numberArg('queries', 30);

type Answer = (db: Queryable, q: ViewQuery, asOf: string) => Promise<ViewRow[]>;
const scan: Partial<Record<string, Answer>> = {
  steps: scannedSteps,
  'step-exceptions': scannedStepExceptions,
  rules: scannedRules,
  'exception-codes': scannedExceptionCodes,
};
const counted: Answer = (db, q) => queryView(db, q);

/** The map's queries: three job types, now, a past asOf and a one-week window (as bench:views asks them). */
function mapQueries(): Array<Omit<ViewQuery, 'view'>> {
  const now = new Date().toISOString();
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const past = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const jobTypes = ['field-work-order', 'support-recovery', 'engagement-lifecycle'];
  const windows = [{}, { asOf: past }, { from: weekAgo, to: now }];
  return Array.from({ length: QUERIES }, (_, i) => ({ jobType: jobTypes[i % 3], ...windows[i % 3] }));
}

/** Answers the five views of each map query (as the ledger does, or scanning); ms per map. */
async function timeMaps(db: Queryable, how: 'scan' | 'counts'): Promise<number[]> {
  const times: number[] = [];
  for (const q of mapQueries()) {
    const asOf = q.asOf ?? new Date().toISOString();
    const t0 = process.hrtime.bigint();
    if (how === 'counts') await liveMapViews(db, { jobType: q.jobType!, from: q.from, to: q.to, asOf });
    else
      await Promise.all(Object.values(LIVE_MAP_VIEWS).map((view) => (scan[view] ?? counted)(db, { ...q, view }, asOf)));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

/** Whether the counts answer what the scan answers, for every map query and grouped by version. */
async function compare(db: Queryable): Promise<number> {
  let checked = 0;
  const queries = [...mapQueries().slice(0, 9), { groupBy: 'version' as const }];
  for (const q of queries) {
    const asOf = new Date().toISOString();
    for (const view of ['steps', 'step-exceptions', 'rules', 'exception-codes'] as const) {
      const query: ViewQuery & { asOf: string } = { ...q, view, asOf: q.asOf ?? asOf };
      const a = await scan[view]!(db, query, query.asOf);
      const b = await counted(db, query, query.asOf);
      const near = (x: unknown, y: unknown) =>
        x === y || Math.abs(Number(x) - Number(y)) <= Math.max(1, 0.04 * Math.abs(Number(x)));
      const same =
        a.length === b.length &&
        a.every((r, i) =>
          Object.keys(r).every((k) => (k.endsWith('Seconds') ? near(r[k], b[i][k]) : r[k] === b[i][k])),
        );
      if (!same) throw new Error(`${view} ${JSON.stringify(q)}: the counts differ from the scan`);
      checked++;
    }
  }
  return checked;
}

async function main(): Promise<void> {
  const dbName = `wg_bench_map_${process.pid}`;
  const url = withDatabase(BASE_URL, dbName);
  await ensureDatabase(url);
  await migrate(url);
  const owner = createPool(url, { max: 2 });
  const app = createPool(url, { role: 'workgate_app', max: 5 });
  const projector = createPool(url, { role: 'workgate_views', max: 4 });
  try {
    await fillWithHistory(url, TARGET_EVENTS);
    const t0 = Date.now();
    await new ProjectionRunner(projector, [viewsProjection, timersProjection], { window: 20_000 }).catchUp();
    const catchUp = (Date.now() - t0) / 1000;
    await owner.query('VACUUM ANALYZE');
    const { rows } = await owner.query<{ head: number }>('SELECT max(position)::int AS head FROM ledger_events');
    process.stdout.write(`${rows[0].head.toLocaleString('en-US')} events, catch-up ${catchUp.toFixed(1)} s\n`);
    process.stdout.write(`the counts answer as the scan does: ${await compare(app)} queries\n`);
    const runs: Record<'scan' | 'counts', number[][]> = { scan: [], counts: [] };
    for (let round = 1; round <= ROUNDS; round++)
      for (const how of ['scan', 'counts'] as const) runs[how].push(await timeMaps(app, how));
    for (const how of ['scan', 'counts'] as const) {
      const p50 = median(runs[how].map((t) => percentile(t, 50)));
      const p95 = median(runs[how].map((t) => percentile(t, 95)));
      process.stdout.write(
        `five map views, ${how === 'counts' ? 'as the ledger answers the map' : 'scanning the window'}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (median of ${ROUNDS} rounds of ${QUERIES})\n`,
      );
    }
  } finally {
    await Promise.all([owner.end(), app.end(), projector.end()]);
    if (!process.argv.includes('--keep')) await dropBenchDatabase(dbName);
  }
}

main().catch((error) => {
  process.stderr.write(`bench:map failed: ${failure(error)}\n`);
  process.exit(1);
});
