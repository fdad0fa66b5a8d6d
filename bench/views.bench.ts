import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { Streams, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { freePort, startScratchNats } from '../cli/infra';
import {
  createPool,
  ensureDatabase,
  LedgerReader,
  migrate,
  ProjectionRunner,
  rebuildProjection,
  withDatabase,
} from '@workgate/event-store';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import { fillWithHistory } from './history-ledger';
import { viewLatency } from './views-latency';
import { failure, median, numberArg, saveResults, table } from './stats';
import { BASE_URL, dropBenchDatabase } from './workgate-process';

/**
 * `npm run bench:views [-- --events 1000000 --runs 3] [-- --relay-only] [-- --keep]`: fills a fresh ledger with
 * about a million events (the shapes the services record, 30 days of work), then measures
 *  - catch-up: the live projections (views + timers) following the whole ledger from position 0;
 *  - rebuild: both rebuilt into fresh tables, compared row by row and swapped in;
 *  - the bare read of the same events (no projection work), as the floor to compare with;
 *  - every view's latency over HTTP through the gateway and ledger processes (gateway -> NATS ->
 *    ledger -> Postgres), with a mix of filters (default, job type, groupBy=version, a past asOf, a one-week window);
 *  - the live workflow map's (GET /v1/workflows/:jobType/map: the definition from the policy
 *    service, the catalog from the exceptions service, five views from the ledger), beside them;
 *  - the relay of the whole ledger, as a backlog, to a fresh JetStream while the services started
 *    beside it react to it (from when LEDGER exists until it holds the ledger's head).
 * `--relay-only` measures the relay alone (no projection runs, no view queries); `--keep` keeps
 * the filled database and prints its name.
 * Rates are ledger positions covered per second (events of every type), medians of the runs.
 */
const TARGET_EVENTS = numberArg('events', 1_000_000);
const RUNS = numberArg('runs', 3);
const QUERIES = numberArg('queries', 40);
const RELAY_ONLY = process.argv.includes('--relay-only');
/** `--keep`: the filled database is kept (its name printed) to query by hand; drop it with dropdb. */
const KEEP = process.argv.includes('--keep');

async function resetViews(owner: ReturnType<typeof createPool>): Promise<void> {
  await owner.query(`TRUNCATE ${[...viewsProjection.tables, ...timersProjection.tables].join(', ')}`);
  await owner.query(`DELETE FROM projection_checkpoints WHERE name IN ('views', 'timers')`);
}

async function main(): Promise<void> {
  const dbName = `wg_bench_views_${process.pid}`;
  const url = withDatabase(BASE_URL, dbName);
  await ensureDatabase(url);
  await migrate(url);
  const owner = createPool(url, { max: 4 });
  const app = createPool(url, { role: 'workgate_app', max: 4 });
  // The projections write the views as the one role allowed to (as workgate runs them).
  const projector = createPool(url, { role: 'workgate_views', max: 4 });
  try {
    const filled = await fillWithHistory(url, TARGET_EVENTS);
    const head = (await new LedgerReader(app).head()).position;
    await owner.query('VACUUM ANALYZE ledger_events');
    process.stdout.write(
      `ledger filled: ${head.toLocaleString('en-US')} events in ${filled.seconds.toFixed(1)}s (${Math.round(filled.events / filled.seconds).toLocaleString('en-US')} events/s)\n`,
    );

    const catchUp: number[] = [];
    const rebuild: number[] = [];
    const scan: number[] = [];
    for (let run = 1; run <= (RELAY_ONLY ? 0 : RUNS); run++) {
      await resetViews(owner);
      let t0 = Date.now();
      const runner = new ProjectionRunner(projector, [viewsProjection, timersProjection], { window: 20_000 });
      await runner.catchUp();
      catchUp.push(head / ((Date.now() - t0) / 1000));

      t0 = Date.now();
      for (const p of [viewsProjection, timersProjection]) {
        const r = await rebuildProjection(owner, p, {
          roles: { views: 'workgate_views', readers: ['workgate_app', 'workgate_ledger'] },
          window: 20_000,
        });
        const differ = Object.values(r.differences).reduce((a, b) => a + b, 0);
        if (differ) throw new Error(`rebuild of ${p.name} differs from live by ${differ} rows`);
      }
      rebuild.push(head / ((Date.now() - t0) / 1000));

      t0 = Date.now();
      const reader = new LedgerReader(app);
      const types = [...new Set([...viewsProjection.types, ...timersProjection.types])];
      for (let at = 0; at < head;) at = (await reader.scan(types, at, 20_000)).next;
      scan.push(head / ((Date.now() - t0) / 1000));
      process.stderr.write(
        `run ${run}/${RUNS}: catch-up ${Math.round(catchUp[run - 1])}/s, rebuild ${Math.round(rebuild[run - 1])}/s, bare read ${Math.round(scan[run - 1])}/s\n`,
      );
    }

    if (!RELAY_ONLY) {
      process.stdout.write(
        `\nprojections over ${head.toLocaleString('en-US')} ledger events (median of ${RUNS} runs; ledger positions per second)\n\n`,
      );
      process.stdout.write(
        table(
          ['measure', 'events/s', 'target', 'vs bare read'],
          [
            [
              'catch-up (views + timers, from position 0)',
              Math.round(median(catchUp)),
              '>= 20,000',
              `${Math.round((median(catchUp) / median(scan)) * 100)}%`,
            ],
            [
              'rebuild into fresh tables, compare, swap',
              Math.round(median(rebuild)),
              '>= 30,000',
              `${Math.round((median(rebuild) / median(scan)) * 100)}%`,
            ],
            ['bare read of the same events (no projection)', Math.round(median(scan)), '-', '100%'],
          ],
        ),
      );
    }

    // View latency through the real path: HTTP -> gateway -> NATS -> ledger -> Postgres.
    const key = `wg_bench_${randomBytes(12).toString('hex')}`;
    const dir = join(tmpdir(), `wg-bench-views-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const principals = join(dir, 'principals.yaml');
    writeFileSync(
      principals,
      `principals:\n  - { id: analyst, roles: [analyst, ops-lead], apiKeySha256: ${createHash('sha256').update(key).digest('hex')} }\n`,
    );
    // The ledger and the gateway as their own processes (as deployed): the views are answered by
    // the ledger over NATS and served by the gateway over HTTP; the live map also asks the policy
    // service for the definition and the exceptions service for the catalog.
    const nats = await startScratchNats();
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: url,
      NATS_URL: nats.url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      WORKGATE_PRINCIPALS: principals,
    };
    const children = ['ledger', 'policy', 'exceptions', 'gateway'].map((service) =>
      spawn(process.execPath, [join(__dirname, '..', 'apps', service, 'main.js')], {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
    const nc = await connect({ servers: nats.url });
    try {
      const base = `http://127.0.0.1:${port}`;
      const rpc = new RpcClient(nc, 5000, false);
      // The ledger relays its log to the fresh JetStream first, while the services react to it (the
      // exceptions service records the SLA breaches the history's timers owe and checks each raise
      // for drift). The relay is timed from when LEDGER exists until it holds the ledger's head
      // (LEDGER is a gap-free prefix of the log: its last sequence is the last position published),
      // both read around the ledger service, which a backlog may keep too busy to answer; the rest
      // is measured once the ledger says so too and the views and the live map answer.
      const jsm = await nc.jetstreamManager();
      const reader = new LedgerReader(app);
      const started = Date.now();
      let relayFrom: { at: number; position: number } | undefined;
      let relay: { events: number; seconds: number } | undefined;
      for (;;) {
        if (!relay) {
          const published = await jsm.streams.info(Streams.ledger.name).then(
            (info) => info.state.last_seq,
            () => undefined,
          );
          const head = (await reader.head()).position;
          if (published !== undefined) relayFrom ??= { at: Date.now(), position: published };
          if (relayFrom && published === head) {
            relay = { events: head - relayFrom.position, seconds: (Date.now() - relayFrom.at) / 1000 };
            if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
            process.stdout.write(
              `\nledger relayed: ${relay.events.toLocaleString('en-US')} events in ${relay.seconds.toFixed(1)}s (${Math.round(relay.events / relay.seconds).toLocaleString('en-US')} events/s)\n`,
            );
            if (RELAY_ONLY) break;
          } else if (process.stderr.isTTY) {
            process.stderr.write(`\rwaiting for the ledger to relay its log: ${published ?? '-'}/${head}   `);
          }
        } else {
          const ledger = await rpc.request(Subjects.health('ledger'), {}).catch(() => undefined);
          const at = await rpc.request(Subjects.ledger.head, {}).catch(() => undefined);
          // The views, and the live map (the policy and exceptions services answer it too).
          const answers = ['/v1/views/stall-rates', '/v1/workflows/field-work-order/map'].map((path) =>
            fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${key}` } })
              .then((r) => r.status === 200)
              .catch(() => false),
          );
          const ok = (await Promise.all(answers)).every(Boolean);
          // Every service's consumer of LEDGER has taken and settled all of it: the services the
          // live map asks are past the relayed backlog, as in the steady state the views are timed in.
          const consumers = await jsm.consumers.list(Streams.ledger.name).next();
          const reacted = consumers.every((c) => c.num_pending === 0 && c.num_ack_pending === 0);
          if (ok && reacted && at && ledger?.details?.publishedPosition === at.position) break;
        }
        if (Date.now() - started > 80 * 60_000) throw new Error('the ledger and gateway did not settle');
        await new Promise((r) => setTimeout(r, relay ? 2000 : 250));
      }
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (RELAY_ONLY) return;
      const { rows, live, compare } = await viewLatency(base, key, QUERIES);
      process.stdout.write(
        `\nview latency over HTTP at ${head.toLocaleString('en-US')} ledger events (${QUERIES} queries each, mixed filters; target p95 <= 150 ms)\n\n`,
      );
      process.stdout.write(table(['view', 'p50 ms', 'p95 ms', 'max ms', 'rows (max)'], [...rows, live, compare]));
      const counts = await app.query<{
        work_orders: string;
        exceptions: string;
        approvals: string;
        post_reviews: string;
      }>(
        `SELECT (SELECT count(*) FROM view_work_orders) AS work_orders, (SELECT count(*) FROM view_exceptions) AS exceptions, (SELECT count(*) FROM view_approvals) AS approvals, (SELECT count(*) FROM view_post_reviews) AS post_reviews`,
      );
      const c = counts.rows[0];
      process.stdout.write(
        `\nview rows: ${c.work_orders} work orders, ${c.exceptions} exceptions, ${c.approvals} approvals, ${c.post_reviews} post-reviews\n`,
      );
      const worst = rows.reduce((w, r) => (Number(r[2]) > Number(w[2]) ? r : w));
      process.stdout.write(
        `\nlive map p95 ${live[2]} ms; department comparison p95 ${compare[2]} ms; slowest view p95 ${worst[2]} ms (${String(worst[0]).replace('GET /v1/views/', '')}): the map ${Number(live[2]) <= Number(worst[2]) ? 'within' : 'ABOVE'} it, the comparison ${Number(compare[2]) <= Number(worst[2]) ? 'within' : 'ABOVE'} it\n`,
      );
      const at = `${(head / 1e6).toFixed(2)}M events`;
      saveResults('views', { head, runs: RUNS, catchUp, rebuild, scan, views: rows, liveMap: live, compare, relay }, [
        {
          stage: 'ledger relay',
          measure: `relay of the whole ledger to a fresh JetStream, services reacting, events/s at ${at}`,
          value: Math.round(relay.events / relay.seconds),
          target: '-',
        },
        {
          stage: 'projections',
          measure: `catch-up from position 0 (views + timers), events/s at ${at}`,
          value: Math.round(median(catchUp)),
          target: '>= 20,000',
        },
        {
          stage: 'projections',
          measure: `rebuild into fresh tables, compare, swap, events/s at ${at}`,
          value: Math.round(median(rebuild)),
          target: '>= 30,000',
        },
        {
          stage: 'views over HTTP',
          measure: `slowest view p95 ms at ${at} (${String(worst[0]).replace('GET /v1/views/', '')})`,
          value: Number(worst[2]),
          target: '<= 150',
        },
        {
          stage: 'views over HTTP',
          measure: `live workflow map p95 ms at ${at} (GET /v1/workflows/:jobType/map)`,
          value: Number(live[2]),
          target: `<= slowest view p95 (${worst[2]})`,
        },
        {
          stage: 'views over HTTP',
          measure: `department comparison p95 ms at ${at} (GET /v1/views/workflows/compare)`,
          value: Number(compare[2]),
          target: `<= slowest view p95 (${worst[2]})`,
        },
      ]);
    } finally {
      await nc.close();
      for (const child of children) {
        // A service that exited already (one that gave up while starting) sends no exit to wait for.
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // A service still working through the backlog (a relay-only run stops early) may not finish
        // what it holds in time: the database is dropped anyway.
        const killing = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killing);
      }
      await nats.stop();
    }
  } finally {
    await owner.end().catch(() => undefined);
    await app.end().catch(() => undefined);
    await projector.end().catch(() => undefined);
    if (KEEP) process.stdout.write(`database kept: ${dbName}\n`);
    else await dropBenchDatabase(dbName);
  }
}

main().catch((error) => {
  process.stderr.write(`bench:views failed: ${failure(error)}\n`);
  process.exit(1);
});
