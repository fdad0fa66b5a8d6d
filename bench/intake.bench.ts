import { createPool } from '@workgate/event-store';
import { CpuPerEvent, cpuPerEvent, cpuSeconds, medianCpu } from './cpu';
import { failure, machineLine, median, saveResults, SummaryRow, table, waitUntil } from './stats';
import { WorkEventPublisher } from './work-events';
import { startWorkgateProcess, Topology } from './workgate-process';
import { atRate, RateResult, settled } from './intake-rate';
import { expectShape, oneOf } from '@workgate/contracts';

/**
 * `npm run bench:intake`: CloudEvents published to JetStream WORK_EVENTS and followed into the
 * ledger and the views. Reports sustained events/s until all are committed in the ledger, then at
 * fixed rates the publish -> commit latency (the ledger row's recorded_at) and the publish -> view
 * latency (when the views projection's checkpoint passed the row), and the peak RSS under load.
 * Each event is half of a pair: `workgate.workorder.open` then `workgate.action.requested` (a
 * policy decision) for the same work order.
 * BENCH_TOPOLOGY one (default: `npm start`, every service in one process) or split (the
 * scale-out check: each service its own process, two intake instances); BENCH_EVENTS (default
 * 20,000), BENCH_REPS (default 3), BENCH_RATES (default 500,1000,2000), BENCH_SECONDS (default 10).
 */
const TOPOLOGY: Topology = expectShape(
  process.env.BENCH_TOPOLOGY ?? 'one',
  oneOf('one', 'split'),
  'BENCH_TOPOLOGY one or split',
);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const RATES = (process.env.BENCH_RATES ?? '500,1000,2000').split(',').filter(Boolean).map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Events published and committed before the measured runs. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000);

async function main(): Promise<void> {
  const workgate = await startWorkgateProcess(`intake_${TOPOLOGY}`, TOPOLOGY);
  const publisher = new WorkEventPublisher(workgate.nc);
  const pool = createPool(workgate.dbUrl, { max: 2 });
  // Counted incrementally (only rows past the last position seen), so polling costs the database
  // almost nothing while it is being measured.
  let counted = 0;
  let seen = 0;
  const countAll = async () => {
    const { rows } = await pool.query<{ n: number; last: number | null }>(
      `SELECT count(*) FILTER (WHERE type IN ('WorkOrderOpened', 'ActionDecided'))::int AS n, max(position)::int AS last FROM ledger_events WHERE position > $1`,
      [seen],
    );
    counted += rows[0].n;
    seen = rows[0].last ?? seen;
    return counted;
  };
  let rss = 0;
  const sampleRss = () => (rss = Math.max(rss, workgate.rss()));
  let looked = 0;
  const waitForLedger = (total: number, started: number) =>
    waitUntil(
      'every event reaching the ledger',
      300_000 - (Date.now() - started),
      async () => {
        // Each event counted is a row of its own: until the log has grown by as many rows as are
        // still missing, its head says enough (counting read every new row, about 1% of Postgres's
        // work in a sustained run). The head is cheap to read, so it is read often: the end of a
        // run is seen within about 20 ms.
        const head = (await pool.query<{ last: number | null }>('SELECT max(position)::int AS last FROM ledger_events'))
          .rows[0].last;
        if ((head ?? 0) - seen >= total - counted && (await countAll()) >= total) return true;
        if (Date.now() - looked >= 100) {
          looked = Date.now();
          const refused = await pool.query<{ reasons: unknown }>(
            `SELECT data->'reasons' AS reasons FROM ledger_events WHERE type = 'IntakeRejected' AND data->>'source' = 'bench' LIMIT 1`,
          );
          if (refused.rows.length)
            throw new Error(`intake refused a benchmark event: ${JSON.stringify(refused.rows[0].reasons)}`);
          sampleRss();
        }
        return false;
      },
      20,
    );
  try {
    const sustained: number[] = [];
    const cpu: CpuPerEvent[] = [];
    const pids = workgate.children.map((c) => c.pid!).filter(Boolean);
    const rates = new Map<number, RateResult[]>(RATES.map((r) => [r, []]));
    // Warm-up, not measured: the first burst a fresh process takes runs while V8 is still
    // compiling its hot paths and its caches are empty (about 15% more CPU per event).
    await publisher.publishAll('w', WARMUP / 2);
    let expected = WARMUP;
    await waitForLedger(expected, Date.now());
    for (let rep = 1; rep <= REPS; rep++) {
      // Sustained: 64 publishers as fast as JetStream takes it; time until all are committed.
      const run = `s${rep}`;
      const started = Date.now();
      const cpuBefore = cpuSeconds(pids);
      await publisher.publishAll(run, EVENTS / 2);
      const published = Date.now();
      expected += EVENTS;
      await waitForLedger(expected, started);
      const seconds = (Date.now() - started) / 1000;
      sustained.push(EVENTS / seconds);
      const perEvent = cpuPerEvent(cpuBefore, cpuSeconds(pids), EVENTS);
      cpu.push(perEvent);
      process.stderr.write(
        `run ${rep}/${REPS} (${TOPOLOGY}): ${EVENTS} events in ${seconds.toFixed(1)}s (published in ${((published - started) / 1000).toFixed(1)}s) = ${Math.round(EVENTS / seconds).toLocaleString('en-US')}/s; ` +
          `CPU µs per event: ${cpuLine(perEvent)}\n`,
      );

      for (const rate of RATES) {
        await settled(pool);
        const result = await atRate(publisher, pool, `r${rate}x${rep}`, rate, SECONDS, sampleRss);
        expected += rate * SECONDS;
        await waitForLedger(expected, Date.now());
        rates.get(rate)!.push(result);
        process.stderr.write(
          `run ${rep}/${REPS} (${TOPOLOGY}): at ${rate}/s, ${result.events} events: commit p50 ${result.commitP50.toFixed(1)} p99 ${result.commitP99.toFixed(1)} ms; view p50 ${result.viewP50.toFixed(1)} p99 ${result.viewP99.toFixed(1)} ms\n`,
        );
      }
    }
    const where = TOPOLOGY === 'one' ? 'one process' : 'split: 6 processes, 2 intake';
    const med = (rate: number, k: keyof RateResult) => median(rates.get(rate)!.map((r) => r[k]));
    const summary: SummaryRow[] = [
      {
        stage: `intake (${where})`,
        measure: `sustained events/s, publish -> committed ledger row (${EVENTS.toLocaleString('en-US')} events)`,
        value: Math.round(median(sustained)),
        target: TOPOLOGY === 'one' ? '>= 8,000' : '-',
      },
      {
        stage: `intake (${where})`,
        measure: 'CPU µs per event in the sustained run: total (workgate / nats-server / Postgres / publishers)',
        value: cpuLine(medianCpu(cpu)),
        target: '-',
      },
      ...RATES.flatMap((rate): SummaryRow[] => [
        {
          stage: `intake (${where})`,
          measure: `publish -> commit p50 / p99 ms at ${rate.toLocaleString('en-US')}/s`,
          value: `${med(rate, 'commitP50').toFixed(0)} / ${med(rate, 'commitP99').toFixed(0)}`,
          target: rate === 1000 && TOPOLOGY === 'one' ? 'p99 <= 100' : '-',
        },
        {
          stage: `intake (${where})`,
          measure: `publish -> view visible p50 / p99 ms at ${rate.toLocaleString('en-US')}/s`,
          value: `${med(rate, 'viewP50').toFixed(0)} / ${med(rate, 'viewP99').toFixed(0)}`,
          target: rate === 2000 && TOPOLOGY === 'one' ? 'p99 <= 250' : '-',
        },
      ]),
      {
        stage: `intake (${where})`,
        measure: 'peak RSS under load, MB',
        value: Math.round(rss / 2 ** 20),
        target: TOPOLOGY === 'one' ? '<= 600' : '-',
      },
    ];
    process.stdout.write(
      `intake: CloudEvents on JetStream -> ledger -> views, ${where}; median of ${REPS} runs\n${machineLine()}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['measure', 'value', 'target'],
        summary.map((r) => [r.measure, r.value, r.target ?? '-']),
      )}\n`,
    );
    saveResults(
      `intake-${TOPOLOGY}`,
      {
        topology: TOPOLOGY,
        events: EVENTS,
        reps: REPS,
        seconds: SECONDS,
        sustained,
        cpu,
        rates: Object.fromEntries(rates),
        rss,
      },
      summary,
    );
  } finally {
    publisher.close();
    await pool.end();
    await workgate.stop();
  }
}

/** `total (workgate / nats-server / Postgres / publishers)`, whole microseconds. */
function cpuLine(c: CpuPerEvent): string {
  return `${Math.round(c.total)} (${[c.workgate, c.natsServer, c.postgres, c.bench].map(Math.round).join(' / ')})`;
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${failure(error)}\n`);
    process.exit(1);
  },
);
